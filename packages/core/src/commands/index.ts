/**
 * Every typed command definition, by family. The `Valkey` service has one method per entry,
 * generated from these definitions, so a command is written exactly once.
 *
 * @since 0.1.0
 */
import * as acl from "./acl.ts"
import * as bitmaps from "./bitmaps.ts"
import * as cluster from "./cluster.ts"
import * as commandInfo from "./commandInfo.ts"
import * as connection from "./connection.ts"
import * as diagnostics from "./diagnostics.ts"
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
import * as session from "./session.ts"
import * as sets from "./sets.ts"
import * as sortedSetOps from "./sortedSetOps.ts"
import * as sortedSetPops from "./sortedSetPops.ts"
import * as sortedSetRanges from "./sortedSetRanges.ts"
import * as sortedSets from "./sortedSets.ts"
import * as streamGroups from "./streamGroups.ts"
import * as streamInfo from "./streamInfo.ts"
import * as streams from "./streams.ts"
import * as strings from "./strings.ts"

// Helpers the families share are not commands: they get no method.
const { parseInfo: _parseInfo, ...serverCommands } = server
const { numkeysCall: _numkeysCall, ...scriptingCommands } = scripting
// PUBSUB CHANNELS/NUMSUB/NUMPAT/SHARD… answer for the one node they reach: as methods they would
// be a second, node-local name beside `pubsub.numsub` & co., which combine every node's answer.
// They stay definitions (for `valkey.run` on a node of your choice, and for the PubSub service).
const {
  pubsubChannels: _channels,
  pubsubNumsub: _numsub,
  pubsubNumpat: _numpat,
  pubsubShardChannels: _shardChannels,
  pubsubShardNumsub: _shardNumsub,
  ...pubsubCommands
} = pubsub

/**
 * All command constructors, keyed by method name.
 *
 * @since 0.1.0
 * @category commands
 */
export const commands = {
  ...acl,
  ...bitmaps,
  ...cluster,
  ...commandInfo,
  ...connection,
  ...diagnostics,
  ...functions,
  ...generic,
  ...geo,
  ...hashExpiry,
  ...hashes,
  ...hyperloglog,
  ...keyspace,
  ...lists,
  ...pubsubCommands,
  ...scan,
  ...scriptingCommands,
  ...serverCommands,
  ...sets,
  ...sortedSetOps,
  ...sortedSetPops,
  ...sortedSetRanges,
  ...sortedSets,
  ...streamGroups,
  ...streamInfo,
  ...streams,
  ...strings
}

export {
  /**
   * Access control: ACL WHOAMI/LIST/USERS/GETUSER/SETUSER/DELUSER/CAT/DRYRUN/GENPASS/LOG.
   *
   * @since 0.2.0
   * @category families
   */
  acl,
  /**
   * Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and BITFIELD_RO.
   *
   * @since 0.1.0
   * @category families
   */
  bitmaps,
  /**
   * Cluster introspection of Valkey 8.0+: CLUSTER SLOT-STATS.
   *
   * @since 0.2.0
   * @category families
   */
  cluster,
  /**
   * COMMAND and its subcommands: COUNT, INFO, LIST, GETKEYS and DOCS.
   *
   * @since 0.2.0
   * @category families
   */
  commandInfo,
  /**
   * Connection commands safe on a shared connection: PING, ECHO, CLIENT ID/GETNAME/LIST/INFO/KILL/PAUSE/UNBLOCK.
   *
   * @since 0.1.0
   * @category families
   */
  connection,
  /**
   * What the server reports about itself: SLOWLOG, COMMANDLOG, MEMORY, LATENCY, LOLWUT.
   *
   * @since 0.2.0
   * @category families
   */
  diagnostics,
  /**
   * Functions: FUNCTION LOAD/LIST/DELETE/FLUSH/DUMP/RESTORE/STATS/KILL, FCALL and FCALL_RO.
   *
   * @since 0.1.0
   * @category families
   */
  functions,
  /**
   * Generic key commands: DEL, UNLINK, EXISTS, TOUCH, the EXPIRE family, TTL, PERSIST, TYPE, WAIT, WAITAOF.
   *
   * @since 0.1.0
   * @category families
   */
  generic,
  /**
   * Geospatial commands: GEOADD, GEODIST, GEOHASH, GEOPOS, GEOSEARCH and GEOSEARCHSTORE.
   *
   * @since 0.1.0
   * @category families
   */
  geo,
  /**
   * Hash-field expiration of Valkey 9.0+: HSETEX, HGETEX, HEXPIRE and its family, HTTL, HPERSIST.
   *
   * @since 0.2.0
   * @category families
   */
  hashExpiry,
  /**
   * Hash commands: HSET, HGET, HGETALL, HMGET, HDEL, HEXISTS, HLEN, HKEYS, HVALS, HINCRBY, ….
   *
   * @since 0.1.0
   * @category families
   */
  hashes,
  /**
   * HyperLogLog commands: PFADD, PFCOUNT, PFMERGE.
   *
   * @since 0.1.0
   * @category families
   */
  hyperloglog,
  /**
   * Key-space commands: SORT/SORT_RO, OBJECT, DUMP/RESTORE, COPY, RENAME, MOVE, RANDOMKEY, KEYS.
   *
   * @since 0.1.0
   * @category families
   */
  keyspace,
  /**
   * List commands, the blocking BLPOP, BRPOP, BLMOVE, BLMPOP and BRPOPLPUSH included.
   *
   * @since 0.1.0
   * @category families
   */
  lists,
  /**
   * Pub/sub commands that get one reply: PUBLISH, SPUBLISH and the PUBSUB subcommands (these as
   * definitions only: `@effect-valkey/pubsub`'s `channels`, `numsub`, … combine every node).
   *
   * @since 0.1.0
   * @category families
   */
  pubsub,
  /**
   * One page of SCAN, HSCAN, SSCAN or ZSCAN: `scanPage`, `hscanPage`, … (the `Scan` service
   * turns them into Streams).
   *
   * @since 0.1.0
   * @category families
   */
  scan,
  /**
   * Lua scripting: EVAL, EVALSHA, their read-only variants, and SCRIPT LOAD/EXISTS/FLUSH/KILL/SHOW.
   *
   * @since 0.1.0
   * @category families
   */
  scripting,
  /**
   * Server commands: INFO, DBSIZE, FLUSHDB/FLUSHALL, TIME, CONFIG, SAVE/BGSAVE, ROLE, SWAPDB, ….
   *
   * @since 0.1.0
   * @category families
   */
  server,
  /**
   * Connection-state commands (HELLO, AUTH, SELECT, CLIENT SETNAME, MULTI/EXEC, WATCH, ASKING, …):
   * no method on the shared `Valkey` service; the handshake, batches, dedicated connections and the
   * cluster router send them.
   *
   * @since 0.2.0
   * @category families
   */
  session,
  /**
   * Set commands: SADD, SREM, SMEMBERS, SISMEMBER, …, and SINTER/SUNION/SDIFF with their STORE forms.
   *
   * @since 0.1.0
   * @category families
   */
  sets,
  /**
   * Sorted set operations: ZUNION, ZINTER, ZDIFF (with scores), their STORE forms, ZINTERCARD.
   *
   * @since 0.2.0
   * @category families
   */
  sortedSetOps,
  /**
   * Sorted set pops: ZPOPMIN/ZPOPMAX, ZMPOP and the blocking BZPOPMIN, BZPOPMAX, BZMPOP.
   *
   * @since 0.2.0
   * @category families
   */
  sortedSetPops,
  /**
   * Sorted set ranges: ZRANGE in all its forms, ZRANGESTORE, ZCOUNT, ZLEXCOUNT, ZREMRANGEBY….
   *
   * @since 0.2.0
   * @category families
   */
  sortedSetRanges,
  /**
   * Sorted set members and scores: ZADD, ZINCRBY, ZSCORE, ZMSCORE, ZCARD, ZRANK, ZREM, ZRANDMEMBER.
   *
   * @since 0.1.0
   * @category families
   */
  sortedSets,
  /**
   * Stream consumer groups: XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM and XAUTOCLAIM.
   *
   * @since 0.2.0
   * @category families
   */
  streamGroups,
  /**
   * Stream introspection: XINFO STREAM (and FULL), XINFO GROUPS, XINFO CONSUMERS.
   *
   * @since 0.2.0
   * @category families
   */
  streamInfo,
  /**
   * Stream entries: XADD, XRANGE/XREVRANGE, XREAD, XLEN, XDEL, XTRIM, XSETID.
   *
   * @since 0.1.0
   * @category families
   */
  streams,
  /**
   * String commands: GET, SET and its options, MGET/MSET, the INCR family, APPEND, GETDEL, ….
   *
   * @since 0.1.0
   * @category families
   */
  strings
}
