/**
 * Every typed command definition, by family. The `Valkey` service has one method per entry,
 * generated from these definitions, so a command is written exactly once.
 *
 * @since 0.1.0
 */
import * as connection from "./connection.ts"
import * as generic from "./generic.ts"
import * as hashes from "./hashes.ts"
import * as scan from "./scan.ts"
import * as server from "./server.ts"
import * as strings from "./strings.ts"

const { parseInfo: _parseInfo, ...serverCommands } = server

/**
 * All command constructors, keyed by method name.
 *
 * @since 0.1.0
 * @category commands
 */
export const commands = {
  ...connection,
  ...generic,
  ...hashes,
  ...scan,
  ...serverCommands,
  ...strings
}

export { connection, generic, hashes, scan, server, strings }
