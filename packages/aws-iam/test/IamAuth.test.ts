/**
 * The token against the AWS SDK's own signer (`@smithy/signature-v4` with
 * `@aws-crypto/sha256-js`, dev dependencies only) on fixed credentials, times and regions: the
 * same query, byte for byte. No AWS endpoint is reachable here, so this is the check that the
 * token is what AWS verifies. Then the provider on a real server: the token is the password of
 * an ACL user, made anew for each connect, with the secrets never in an error.
 */

import { Sha256 } from "@aws-crypto/sha256-js"
import { assert, describe, it, layer } from "@effect/vitest"
import { ValkeyStandalone } from "@effect-valkey/core"
import { ValkeyServer } from "@effect-valkey/testkit"
import { getCanonicalQuery, SignatureV4 } from "@smithy/signature-v4"
import { Effect, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { type AwsCredentials, IamAuth } from "../src/index.ts"

const fixed: AwsCredentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: Redacted.make("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
}
const temporary: AwsCredentials = {
  accessKeyId: "ASIAEXAMPLE",
  secretAccessKey: Redacted.make("temp/secret+key=="),
  sessionToken: Redacted.make("FwoGZXIvYXdzEJr//////////wEaDH+session/token==")
}

/** The token as the AWS SDK signs it: its presigned request, the query in the SDK's canonical order. */
const sdkToken = async (options: IamAuth.TokenOptions, credentials: AwsCredentials, date: Date) => {
  const signer = new SignatureV4({
    service: options.service ?? "elasticache",
    region: options.region,
    sha256: Sha256,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: Redacted.value(credentials.secretAccessKey),
      ...(credentials.sessionToken !== undefined ? { sessionToken: Redacted.value(credentials.sessionToken) } : {})
    }
  })
  const query: Record<string, string> = { Action: "connect", User: options.userId }
  if (options.serverless === true) query.ResourceType = "ServerlessCache"
  const signed = await signer.presign(
    {
      method: "GET",
      protocol: "https:",
      hostname: options.cacheName,
      path: "/",
      query,
      headers: { host: options.cacheName }
    },
    { expiresIn: 900, signingDate: date }
  )
  return `${options.cacheName}/?${getCanonicalQuery(signed)}&X-Amz-Signature=${signed.query?.["X-Amz-Signature"]}`
}

const cases: ReadonlyArray<readonly [string, IamAuth.TokenOptions, AwsCredentials, Date]> = [
  [
    "ElastiCache",
    { cacheName: "my-cache", userId: "app", region: "eu-west-1" },
    fixed,
    new Date("2026-01-02T03:04:05Z")
  ],
  [
    "ElastiCache Serverless, temporary credentials",
    { cacheName: "serverless-1", userId: "iam-user-01", region: "us-east-1", serverless: true },
    temporary,
    new Date("2025-12-31T23:59:59Z")
  ],
  [
    "MemoryDB, a user id that needs escaping",
    { service: "memorydb", cacheName: "mdb-cluster", userId: "user name+1@x", region: "ap-southeast-2" },
    temporary,
    new Date("2026-07-15T12:00:00.123Z")
  ]
]

describe("IAM token", () => {
  for (const [name, options, credentials, date] of cases) {
    it.effect(`${name}: identical to the AWS SDK's presigned request`, () =>
      Effect.gen(function* () {
        const ours = Redacted.value(IamAuth.token(options, credentials, date))
        const theirs = yield* Effect.promise(() => sdkToken(options, credentials, date))
        assert.strictEqual(ours, theirs)
        assert.isTrue(ours.startsWith(`${options.cacheName}/?`))
        assert.include(ours, "X-Amz-Expires=900")
        assert.notInclude(ours, Redacted.value(credentials.secretAccessKey))
      })
    )
  }

  it.effect("the provider signs at the Clock's time and yields the user id as the username", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2026-01-02T03:04:05Z"))
      const options = cases[0]![1]
      const value = yield* IamAuth.credentials({ ...options, awsCredentials: Effect.succeed(fixed) })
      assert.strictEqual(value.username, "app")
      assert.strictEqual(
        Redacted.value(value.password),
        Redacted.value(IamAuth.token(options, fixed, new Date("2026-01-02T03:04:05Z")))
      )
      assert.strictEqual(String(value.password), "<redacted>")
    })
  )
})

layer(ValkeyServer.layer(), { excludeTestServices: true })("IAM provider on a server", (it) => {
  it.effect("each connect gets a fresh token; a failing credentials source is typed, without secrets", () =>
    Effect.gen(function* () {
      const server = yield* ValkeyServer
      const options = { cacheName: "local-cache", userId: "iamuser", region: "eu-west-1" }
      // The server stands in for AWS: the user's password is the token signed at the epoch,
      // and the provider runs on a test clock that stays there.
      const atEpoch = IamAuth.token(options, fixed, new Date(0))
      yield* server.command(["ACL", "SETUSER", "iamuser", "on", `>${Redacted.value(atEpoch)}`, "~*", "+@all"])
      const provider = IamAuth.credentials({ ...options, awsCredentials: Effect.succeed(fixed) }).pipe(
        Effect.provide(TestClock.layer())
      )
      const { valkey } = yield* ValkeyStandalone.make({ port: server.port, credentials: provider })
      assert.strictEqual(yield* valkey.ping(), "PONG")
      const failing = IamAuth.authentication({
        ...options,
        awsCredentials: Effect.fail(new Error(`no credentials (key ${Redacted.value(fixed.secretAccessKey)})`))
      })
      const error = yield* Effect.flip(ValkeyStandalone.make({ port: server.port, ...failing }))
      assert.strictEqual(error._tag, "AuthError")
      assert.notInclude(error.message, Redacted.value(fixed.secretAccessKey))
    })
  )
})
