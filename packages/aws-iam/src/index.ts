/**
 * `@effect-valkey/aws-iam`: IAM authentication tokens for Amazon ElastiCache and MemoryDB, as
 * a credentials provider (the `credentials` option) of any `@effect-valkey` client. SigV4 is
 * computed with `node:crypto`: no AWS SDK at run time.
 *
 * @example
 * import { IamAuth } from "@effect-valkey/aws-iam"
 * import { ValkeyStandalone } from "@effect-valkey/core"
 * import { Effect } from "effect"
 *
 * const layer = ValkeyStandalone.layer({
 *   host: "master.my-cache.xxxxxx.euw1.cache.amazonaws.com",
 *   tls: true,
 *   ...IamAuth.authentication({
 *     cacheName: "my-cache",
 *     userId: "app",
 *     region: "eu-west-1",
 *     awsCredentials: Effect.orDie(IamAuth.fromConfig)
 *   })
 * })
 *
 * @since 0.2.0
 */

export * as IamAuth from "./IamAuth.ts"
export type { AwsCredentials } from "./SigV4.ts"
export * as SigV4 from "./SigV4.ts"
