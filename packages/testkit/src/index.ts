/**
 * `@effect-valkey/testkit`: real Valkey servers and clusters for tests, as scoped Effects
 * and Layers, with fault injection and an admin client for checking server state.
 *
 * @since 0.1.0
 */

export type { AdminReply, AdminTarget, CommandOptions, Credentials } from "./AdminClient.ts"
export * as AdminClient from "./AdminClient.ts"
