/**
 * Every typed command definition, by family. The `Valkey` service has one method per entry,
 * generated from these definitions, so a command is written exactly once.
 *
 * @since 0.1.0
 */
import * as admin from "./admin.ts"
import * as bitmaps from "./bitmaps.ts"
import * as clients from "./clients.ts"
import * as cluster from "./cluster.ts"
import * as commandDocs from "./commandDocs.ts"
import * as connection from "./connection.ts"
import * as functions from "./functions.ts"
import * as generic from "./generic.ts"
import * as geo from "./geo.ts"
import * as hashExpiry from "./hashExpiry.ts"
import * as hashes from "./hashes.ts"
import * as hyperloglog from "./hyperloglog.ts"
import * as keyspace from "./keyspace.ts"
import * as lists from "./lists.ts"
import * as pubsub from "./pubsub.ts"
import * as scan from "./scan.ts"
import * as scripting from "./scripting.ts"
import * as server from "./server.ts"
import * as sets from "./sets.ts"
import * as sortedSets from "./sortedSets.ts"
import * as streams from "./streams.ts"
import * as strings from "./strings.ts"

const { parseInfo: _parseInfo, ...serverCommands } = server

/**
 * All command constructors, keyed by method name.
 *
 * @since 0.1.0
 * @category commands
 */
export const commands = {
  ...admin,
  ...bitmaps,
  ...clients,
  ...cluster,
  ...commandDocs,
  ...connection,
  ...functions,
  ...generic,
  ...geo,
  ...hashExpiry,
  ...hashes,
  ...hyperloglog,
  ...keyspace,
  ...lists,
  ...pubsub,
  ...scan,
  ...scripting,
  ...serverCommands,
  ...sets,
  ...sortedSets,
  ...streams,
  ...strings
}

export {
  admin,
  bitmaps,
  clients,
  cluster,
  commandDocs,
  connection,
  functions,
  generic,
  geo,
  hashExpiry,
  hashes,
  hyperloglog,
  keyspace,
  lists,
  pubsub,
  scan,
  scripting,
  server,
  sets,
  sortedSets,
  streams,
  strings
}
