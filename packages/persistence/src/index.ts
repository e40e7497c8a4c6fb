/**
 * `@effect-valkey/persistence`: Effect's own `Redis` service (`effect/persistence/Redis`) on
 * effect-valkey, standalone or cluster, for Effect's Redis-backed `RateLimiter`,
 * `PersistedCache` (`Persistence.layerRedis`), `PersistedQueue` and `CircuitBreaker`.
 *
 * @since 0.1.0
 */

/**
 * The layers and the mapping of Effect's `Redis` interface onto this client.
 *
 * @since 0.1.0
 */
export * as ValkeyRedis from "./ValkeyRedis.ts"
