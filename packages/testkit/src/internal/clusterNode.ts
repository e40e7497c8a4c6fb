/**
 * A cluster node: a server handle plus its node id and last observed role. Delegates
 * every server field explicitly (instead of copying) so that `pid`, `status` and friends
 * stay live across restarts.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type { AdminReply, AdminTarget, CommandOptions } from "../AdminClient.ts"
import type { AdminError, InvalidStateError, TestkitError } from "../errors.ts"
import type { ServerStatus, TlsInfo, ValkeyServerHandle } from "../ValkeyServer.ts"
import type { ClusterNode, ClusterRole } from "../ValkeyTestCluster.ts"

/**
 * @since 0.1.0
 * @category models
 */
export class NodeImpl implements ClusterNode {
  readonly server: ValkeyServerHandle
  readonly id: string
  role: ClusterRole
  primaryId: string | undefined
  constructor(server: ValkeyServerHandle, id: string, role: ClusterRole, primaryId: string | undefined) {
    this.server = server
    this.id = id
    this.role = role
    this.primaryId = primaryId
  }
  get host(): string {
    return this.server.host
  }
  get port(): number {
    return this.server.port
  }
  get address(): string {
    return this.server.address
  }
  get url(): string {
    return this.server.url
  }
  get pid(): number {
    return this.server.pid
  }
  get dir(): string {
    return this.server.dir
  }
  get password(): string | undefined {
    return this.server.password
  }
  get tls(): TlsInfo | undefined {
    return this.server.tls
  }
  get clusterPort(): number | undefined {
    return this.server.clusterPort
  }
  get status(): ServerStatus {
    return this.server.status
  }
  get target(): AdminTarget {
    return this.server.target
  }
  get log(): () => string {
    return this.server.log
  }
  get restart(): Effect.Effect<void, TestkitError> {
    return this.server.restart
  }
  get kill(): Effect.Effect<void> {
    return this.server.kill
  }
  get stop(): Effect.Effect<void> {
    return this.server.stop
  }
  get start(): Effect.Effect<void, TestkitError> {
    return this.server.start
  }
  get pause(): Effect.Effect<void, InvalidStateError> {
    return this.server.pause
  }
  get resume(): Effect.Effect<void, InvalidStateError> {
    return this.server.resume
  }
  command(args: ReadonlyArray<string>, options?: CommandOptions): Effect.Effect<AdminReply, AdminError> {
    return this.server.command(args, options)
  }
  pipeline(
    commands: ReadonlyArray<ReadonlyArray<string>>,
    options?: CommandOptions
  ): Effect.Effect<ReadonlyArray<AdminReply>, AdminError> {
    return this.server.pipeline(commands, options)
  }
}
