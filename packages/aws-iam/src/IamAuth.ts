/**
 * IAM authentication for Amazon ElastiCache (Valkey, Redis OSS) and MemoryDB, as a credentials
 * provider for any `@effect-valkey` client. The password is an IAM authentication token: the
 * `connect` request `GET https://<cache name>/?Action=connect&User=<user id>` presigned with
 * SigV4 for the `elasticache` or `memorydb` service and the region, valid 900 s, without the
 * `https://` prefix (what AWS's own examples build with their SDKs' signers).
 *
 * A new token is made for every connect; `authentication(...)` also re-authenticates the open
 * connections every `refresh` (10 minutes by default), well before the 15-minute expiry and
 * the 12-hour limit AWS puts on a connection authenticated once.
 *
 * @since 0.2.0
 */
import type { CredentialsValue } from "@effect-valkey/core"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import { type AwsCredentials, presignQuery } from "./SigV4.ts"

/**
 * Which cache and user a token is for.
 *
 * @since 0.2.0
 * @category models
 */
export interface TokenOptions {
  /** `elasticache` (default) or `memorydb`. */
  readonly service?: "elasticache" | "memorydb"
  /** The replication group id or serverless cache name (ElastiCache), or the cluster name (MemoryDB), lower-cased by AWS. */
  readonly cacheName: string
  /** The IAM-enabled user id (it is also the user name the client authenticates as). */
  readonly userId: string
  /** The AWS region of the cache, e.g. `eu-west-1`. */
  readonly region: string
  /** An ElastiCache Serverless cache (adds `ResourceType=ServerlessCache`). */
  readonly serverless?: boolean
}

/**
 * The token lifetime AWS accepts: 900 seconds.
 *
 * @since 0.2.0
 * @category defaults
 */
export const TOKEN_EXPIRES_SECONDS = 900

/**
 * The IAM authentication token for `options`, signed with `credentials` at `date`.
 *
 * @since 0.2.0
 * @category signing
 */
export const token = (options: TokenOptions, credentials: AwsCredentials, date: Date): Redacted.Redacted<string> => {
  const query: Record<string, string> = { Action: "connect", User: options.userId }
  if (options.serverless === true) query.ResourceType = "ServerlessCache"
  const signed = presignQuery(
    {
      host: options.cacheName,
      path: "/",
      query,
      service: options.service ?? "elasticache",
      region: options.region,
      date,
      expiresSeconds: TOKEN_EXPIRES_SECONDS
    },
    credentials
  )
  return Redacted.make(`${options.cacheName}/?${signed}`)
}

/**
 * A credentials provider for the `credentials` option: on each run it gets the AWS
 * credentials from `awsCredentials` (an Effect, so temporary credentials can be fetched or
 * cached as the application likes) and yields `{ username: userId, password: token }`, made
 * at the current time of the Effect `Clock`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const credentials = <E, R>(
  options: TokenOptions & { readonly awsCredentials: Effect.Effect<AwsCredentials, E, R> }
): Effect.Effect<CredentialsValue, E, R> =>
  Effect.flatMap(options.awsCredentials, (aws) =>
    Effect.map(Clock.currentTimeMillis, (now) => ({
      username: options.userId,
      password: token(options, aws, new Date(now))
    }))
  )

/**
 * Both options to spread into a client's config: `credentials` (a token per connect) and
 * `credentialsRefresh` (a new token sent with AUTH on every open connection every `refresh`,
 * default 10 minutes). `awsCredentials` must need no services (provide them first).
 *
 * ```ts
 * import { IamAuth } from "@effect-valkey/aws-iam"
 * import { ValkeyCluster } from "@effect-valkey/cluster"
 * import { Effect } from "effect"
 *
 * const awsCredentials = Effect.orDie(IamAuth.fromConfig)
 * const Live = ValkeyCluster.layer({
 *   seeds: ["my-cache.xxxxxx.clustercfg.euw1.cache.amazonaws.com:6379"],
 *   tls: true,
 *   ...IamAuth.authentication({ cacheName: "my-cache", userId: "app", region: "eu-west-1", awsCredentials })
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const authentication = <E>(
  options: TokenOptions & {
    readonly awsCredentials: Effect.Effect<AwsCredentials, E>
    readonly refresh?: Duration.Input
  }
): {
  readonly credentials: Effect.Effect<CredentialsValue, E>
  readonly credentialsRefresh: Schedule.Schedule<unknown, unknown>
} => ({
  credentials: credentials(options),
  credentialsRefresh: Schedule.spaced(options.refresh ?? Duration.minutes(10)) as Schedule.Schedule<unknown, unknown>
})

/**
 * AWS credentials from Effect `Config` (environment variables by default):
 * `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and, when set, `AWS_SESSION_TOKEN`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const fromConfig: Config.Config<AwsCredentials> = Config.all({
  accessKeyId: Config.String("AWS_ACCESS_KEY_ID"),
  secretAccessKey: Config.Redacted("AWS_SECRET_ACCESS_KEY"),
  sessionToken: Config.option(Config.Redacted("AWS_SESSION_TOKEN"))
}).pipe(
  Config.map(({ accessKeyId, secretAccessKey, sessionToken }) => ({
    accessKeyId,
    secretAccessKey,
    ...(Option.isSome(sessionToken) ? { sessionToken: sessionToken.value } : {})
  }))
)
