/**
 * effect-valkey: an Effect-native Valkey client.
 *
 * @since 0.1.0
 */

export type { Entries, Key, Value } from "./Args.ts"
export * as Args from "./Args.ts"
export * as Batch from "./Batch.ts"
export * as Command from "./Command.ts"
export type { CacheOptions, CacheStats, ClientCacheService } from "./cache/ClientCache.ts"
export * as ClientCache from "./cache/ClientCache.ts"
export * as Commands from "./commands/index.ts"
export type { Connection, ConnectionStatus } from "./connection/Connection.ts"
export type { ConnectionOptions, TlsOptions, Tracking } from "./connection/ConnectionOptions.ts"
export { Credentials, type CredentialsProvider, type CredentialsValue } from "./connection/Credentials.ts"
export * from "./errors.ts"
export * as Observability from "./Observability.ts"
export * as Reply from "./Reply.ts"
export { Router, type RouterService } from "./Router.ts"
export { type RespArg, RespError, RespPush, type RespValue, VerbatimString } from "./resp/types.ts"
export { type KeysOptions, Scan, type ScanOptions, type ScanService } from "./Scan.ts"
export * as Script from "./Script.ts"
export * as StandaloneRouter from "./StandaloneRouter.ts"
export {
  type CustomOptions,
  customCommand,
  type DedicatedService,
  Valkey,
  type ValkeyService
} from "./Valkey.ts"
export * as ValkeyConfig from "./ValkeyConfig.ts"
export * as ValkeySentinel from "./ValkeySentinel.ts"
export * as ValkeyStandalone from "./ValkeyStandalone.ts"
