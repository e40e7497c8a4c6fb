/**
 * `@effect-valkey/testkit`: real Valkey servers and clusters for tests, as scoped Effects
 * and Layers, with fault injection and an admin client for checking server state.
 *
 * @since 0.1.0
 */

export type { AdminReply, AdminTarget, CommandOptions, Credentials } from "./AdminClient.ts"
export * as AdminClient from "./AdminClient.ts"
export { type ClusterNodeInfo, ownsSlot, parseClusterNodes, parseInfo } from "./ClusterNodes.ts"
export * from "./errors.ts"
export type { ModuleLookup } from "./Modules.ts"
export * as Modules from "./Modules.ts"
export { connectionAttempts, freePort, releasePort, reservePort } from "./Ports.ts"
export type { ReplayRecord, ReplayServerHandle, ReplayServerOptions } from "./ReplayServer.ts"
export * as ReplayServer from "./ReplayServer.ts"
export * as ServerVersion from "./ServerVersion.ts"
export { generateTls, type TlsMaterial } from "./Tls.ts"
export { collectingTracer } from "./Tracing.ts"
export {
  type AclUser,
  type ExtraConfig,
  type ServerStatus,
  type TlsInfo,
  ValkeyServer,
  type ValkeyServerHandle,
  type ValkeyServerOptions
} from "./ValkeyServer.ts"
export {
  type ClusterNode,
  type ClusterRole,
  type FailoverOptions,
  type MigrateOptions,
  slotRanges,
  ValkeyTestCluster,
  type ValkeyTestClusterHandle,
  type ValkeyTestClusterOptions
} from "./ValkeyTestCluster.ts"
export {
  type SentinelAddress,
  ValkeyTestSentinel,
  type ValkeyTestSentinelHandle,
  type ValkeyTestSentinelOptions
} from "./ValkeyTestSentinel.ts"
