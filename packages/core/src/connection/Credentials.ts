/**
 * The credentials of a client, shared by all its connections: either fixed (`username` /
 * `password`) or an Effect that yields them (`credentials`), run before every connect and
 * reconnect and, with `credentialsRefresh`, on a schedule that re-authenticates the open
 * connections when it yields a new secret.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Session from "../commands/session.ts"
import { AuthError, CredentialsError } from "../errors.ts"
import type { Connection } from "./Connection.ts"

/**
 * What a credentials provider yields. A provider that yields no `username` authenticates the
 * configured `username` (or the `default` user).
 *
 * @since 0.2.0
 * @category models
 */
export interface CredentialsValue {
  readonly username?: string | undefined
  readonly password: Redacted.Redacted<string>
}

/**
 * An Effect yielding the credentials to use now (an IAM token, a secret fetched from a
 * vault, …). Its failure becomes a `CredentialsError`.
 *
 * @since 0.2.0
 * @category models
 */
export type CredentialsProvider = Effect.Effect<CredentialsValue, unknown>

/**
 * Re-authenticates one group of connections a client does not track itself (pub/sub
 * subscribers): registered with `Credentials.listen`, run after the open connections got
 * their AUTH.
 *
 * @since 0.2.0
 * @category models
 */
export type Reauthenticate = (credentials: Credentials) => Effect.Effect<void, AuthError>

/**
 * The credentials every connection of a client uses on (re)connect. Shared and mutable so a
 * rotation reaches every later reconnect of every connection.
 *
 * @since 0.1.0
 * @category models
 */
export class Credentials {
  /** The ACL user; `undefined` authenticates the `default` user. */
  username: string | undefined
  /** The password, `Redacted` so it never shows in a log, an error or a span; `undefined`: no AUTH. */
  password: Redacted.Redacted<string> | undefined
  /** Run before every connect; `undefined` when the credentials are fixed. */
  provider: CredentialsProvider | undefined
  /** When to run the provider again and re-authenticate the open connections. */
  readonly refresh: Schedule.Schedule<unknown, unknown> | undefined
  /** How long one run of the provider may take (the connect timeout); 0: unbounded. */
  readonly timeoutMillis: number
  /** The `username` configured beside a provider: used when the provider yields none. */
  private readonly fallbackUsername: string | undefined
  private readonly listeners = new Set<Reauthenticate>()
  /**
   * The secret every open connection was last authenticated with as a whole (the first one,
   * then each refresh's): a refresh compares with it, not with the one in use, which a
   * reconnect may already have taken from the provider for its own connection only.
   */
  private everywhere: Redacted.Redacted<string> | undefined = undefined
  /** The provider run in progress for connects, shared by those that come meanwhile. */
  private running:
    | { readonly provider: CredentialsProvider; readonly result: Deferred.Deferred<CredentialsValue, CredentialsError> }
    | undefined = undefined

  constructor(
    username: string | undefined,
    password: Redacted.Redacted<string> | undefined,
    provider?: CredentialsProvider,
    refresh?: Schedule.Schedule<unknown, unknown>,
    timeoutMillis = 0
  ) {
    this.username = username
    this.password = password
    this.fallbackUsername = username
    this.provider = provider
    this.refresh = refresh
    this.timeoutMillis = timeoutMillis
  }

  /**
   * Runs the provider and keeps what it yields. When it fails, the credentials it yielded
   * before stay in use (until the server refuses them); with none before, the connect fails
   * with an `AuthError` whose cause is the `CredentialsError`.
   */
  readonly resolve: Effect.Effect<void, AuthError> = Effect.suspend(() => {
    const provider = this.provider
    if (provider === undefined) return Effect.void
    return Effect.matchEffect(this.shared(provider), {
      onSuccess: (value) =>
        Effect.sync(() => {
          this.set(value)
          this.everywhere ??= value.password
        }),
      onFailure: (error) =>
        this.password !== undefined
          ? Effect.logWarning(`${error.message}; the previous credentials stay in use`)
          : Effect.fail(new AuthError({ message: `no credentials to connect with: ${error.message}`, cause: error }))
    })
  })

  /**
   * A run of `provider` that concurrent connects share: a reconnect storm (a node restart
   * drops every connection to it, pools and pub/sub included) asks the provider once, not
   * once per connection. A run that is interrupted fails its sharers with a CredentialsError.
   */
  private shared(provider: CredentialsProvider): Effect.Effect<CredentialsValue, CredentialsError> {
    return Effect.suspend(() => {
      const running = this.running
      if (running !== undefined && running.provider === provider) return Deferred.await(running.result)
      const result = Deferred.makeUnsafe<CredentialsValue, CredentialsError>()
      const run = { provider, result }
      this.running = run
      return evaluate(provider, this.timeoutMillis).pipe(
        Effect.onExit((exit) =>
          Effect.sync(() => {
            if (this.running === run) this.running = undefined
            Deferred.doneUnsafe(
              result,
              Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)
                ? Effect.fail(new CredentialsError({ message: "the credentials provider run was interrupted" }))
                : exit
            )
          })
        )
      )
    })
  }

  /** Stores credentials a provider (or `updatePassword`) produced. */
  set(value: CredentialsValue): void {
    this.username = value.username ?? this.fallbackUsername
    this.password = value.password
  }

  /** Whether a refresh must send `value` to the open connections. */
  private differs(value: CredentialsValue): boolean {
    return (
      (value.username ?? this.fallbackUsername) !== this.username ||
      this.everywhere === undefined ||
      Redacted.value(this.everywhere) !== Redacted.value(value.password)
    )
  }

  /** Registers connections to re-authenticate on a refresh, for as long as the scope lives. */
  listen(reauthenticate: Reauthenticate): Effect.Effect<void, never, Scope.Scope> {
    return Effect.acquireRelease(
      Effect.sync(() => this.listeners.add(reauthenticate)),
      () => Effect.sync(() => this.listeners.delete(reauthenticate))
    )
  }

  /**
   * Sends AUTH with the current credentials on the given connections that are ready. A
   * refusal (`ReplyError`) fails with `AuthError`; a connection that is not ready, or loses
   * its socket meanwhile, authenticates with them on its reconnect instead.
   */
  authenticate(connections: ReadonlyArray<Connection>): Effect.Effect<void, AuthError> {
    return Effect.suspend(() => {
      const password = this.password
      if (password === undefined) return Effect.void
      const auth = Session.auth(this.username ?? "default", Redacted.value(password))
      return Effect.forEach(
        connections.filter((connection) => connection.status() === "ready"),
        (connection) =>
          connection
            .send(auth)
            .pipe(
              Effect.catch((error) =>
                error._tag === "ReplyError"
                  ? Effect.fail(new AuthError({ message: `the server refused the new credentials (${error.code})` }))
                  : Effect.void
              )
            ),
        { concurrency: "unbounded", discard: true }
      )
    })
  }

  /** `authenticate` on the client's open connections, then the listeners (pub/sub). */
  reauthenticate(connections: ReadonlyArray<Connection>): Effect.Effect<void, AuthError> {
    return Effect.andThen(
      this.authenticate(connections),
      Effect.suspend(() =>
        Effect.forEach([...this.listeners], (listener) => listener(this), { concurrency: "unbounded", discard: true })
      )
    )
  }

  /**
   * One refresh: runs the provider and, when it yields new credentials, re-authenticates the
   * open connections with them. A refused secret is dropped again (the previous one stays);
   * a failed provider keeps the previous one. Both are logged, never with the secret.
   */
  refreshOnce(connections: () => ReadonlyArray<Connection>): Effect.Effect<void, CredentialsError | AuthError> {
    return Effect.suspend(() => {
      const provider = this.provider
      if (provider === undefined) return Effect.void
      return Effect.flatMap(evaluate(provider, this.timeoutMillis), (value) => {
        if (!this.differs(value)) return Effect.void
        const previous = { username: this.username, password: this.password }
        this.set(value)
        const next = this.password
        return this.reauthenticate(connections()).pipe(
          Effect.tap(() =>
            Effect.sync(() => {
              this.everywhere = value.password
            })
          ),
          Effect.tapError(() =>
            Effect.sync(() => {
              if (this.password === next) {
                this.username = previous.username
                this.password = previous.password
              }
            })
          )
        )
      })
    })
  }

  /**
   * Runs `refreshOnce` on the `refresh` schedule until the scope closes; failures are logged
   * (the first of a run of them as a warning) and the loop goes on. Nothing to do without a
   * provider and a schedule.
   */
  keepFresh(connections: () => ReadonlyArray<Connection>): Effect.Effect<void, never, Scope.Scope> {
    const schedule = this.refresh
    if (this.provider === undefined || schedule === undefined) return Effect.void
    // A provider that is down fails every tick: one warning, then debug lines until a
    // refresh succeeds again (said once, at info).
    let failures = 0
    const once = this.refreshOnce(connections).pipe(
      Effect.matchEffect({
        onFailure: (error) =>
          ++failures === 1
            ? Effect.logWarning(`credentials refresh: ${error.message} (not logged again until a refresh succeeds)`)
            : Effect.logDebug(`credentials refresh: ${error.message} (${failures} failures in a row)`),
        onSuccess: () => {
          if (failures === 0) return Effect.void
          const after = failures
          failures = 0
          return Effect.logInfo(`credentials refresh: succeeded again after ${after} failure(s)`)
        }
      })
    )
    return Effect.asVoid(Effect.forkScoped(Effect.repeat(once, schedule)))
  }
}

/** A provider that hangs must not hold a connect (or the refresh loop) forever. */
const bounded = (provider: CredentialsProvider, timeoutMillis: number): CredentialsProvider =>
  timeoutMillis <= 0
    ? provider
    : Effect.timeoutOrElse(provider, {
        duration: timeoutMillis,
        orElse: () =>
          Effect.fail(
            new CredentialsError({ message: `the credentials provider did not answer within ${timeoutMillis} ms` })
          )
      })

/** Runs a provider; any failure (a defect too) becomes a `CredentialsError`. */
const evaluate = (
  provider: CredentialsProvider,
  timeoutMillis: number
): Effect.Effect<CredentialsValue, CredentialsError> =>
  Effect.catchCause(bounded(provider, timeoutMillis), (cause) => {
    if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)
    const error = Cause.squash(cause)
    if (error instanceof CredentialsError) return Effect.fail(error)
    const tag =
      typeof error === "object" && error !== null && "_tag" in error
        ? ` (${String((error as { _tag: unknown })._tag)})`
        : ""
    return Effect.fail(new CredentialsError({ message: `the credentials provider failed${tag}`, cause: error }))
  })
