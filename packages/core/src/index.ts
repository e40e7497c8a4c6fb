/**
 * effect-valkey: an Effect-native Valkey client.
 *
 * @since 0.1.0
 */

export * as Batch from "./Batch.ts"
export type { Entries, Key, Value } from "./command/Args.ts"
export * as Command from "./command/Command.ts"
export * as Reply from "./command/Reply.ts"
export * as Commands from "./commands/index.ts"
export * as BlockingPool from "./connection/BlockingPool.ts"
export * as Connection from "./connection/Connection.ts"
export type { ConnectionOptions, TlsOptions } from "./connection/ConnectionOptions.ts"
export { Credentials } from "./connection/ConnectionOptions.ts"
export * from "./errors.ts"
export * as Observability from "./Observability.ts"
export { Router, type RouterService } from "./Router.ts"
export { type DecoderOptions, RespDecoder } from "./resp/decoder.ts"
export { CommandWriter, encodeCommand } from "./resp/encoder.ts"
export { type RespArg, RespError, RespPush, type RespValue, VerbatimString } from "./resp/types.ts"
export { type KeysOptions, Scan, type ScanOptions, type ScanService } from "./Scan.ts"
export * as Script from "./Script.ts"
export * as ValkeyClient from "./Valkey.ts"
export { type DedicatedService, Valkey, type ValkeyService } from "./Valkey.ts"
export * as ValkeyConfig from "./ValkeyConfig.ts"
export * as ValkeySentinel from "./ValkeySentinel.ts"
export * as ValkeyStandalone from "./ValkeyStandalone.ts"
