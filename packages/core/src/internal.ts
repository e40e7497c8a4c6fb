/**
 * What the packages built on the client (cluster, pub/sub) and the tests use, and an
 * application does not: one connection, the blocking-connection pool, the RESP codec, and the
 * `Valkey` service built on a router. No stability promise: it changes with those packages.
 *
 * @since 0.2.0
 */
export * as BlockingPool from "./connection/BlockingPool.ts"
export * as Connection from "./connection/Connection.ts"

export { FlushGroup } from "./connection/FlushGroup.ts"
export * as RouterGuard from "./RouterGuard.ts"

export { type DecoderOptions, RespDecoder } from "./resp/decoder.ts"
export { CommandWriter, encodeCommand } from "./resp/encoder.ts"
export { make as makeValkey } from "./Valkey.ts"
