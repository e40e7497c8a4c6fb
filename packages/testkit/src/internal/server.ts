/**
 * The implementation behind `ValkeyServer.make`: one mutable instance per server that owns
 * the current process, serialises lifecycle operations with a semaphore, and restarts on
 * the same port with the same config file.
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs"
import * as FsP from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Scope from "effect/Scope"
import * as Semaphore from "effect/Semaphore"
import type { AdminReply, AdminTarget, CommandOptions } from "../AdminClient.ts"
import * as AdminClient from "../AdminClient.ts"
import { type AdminError, InvalidStateError, ServerStartError, SetupError, type TestkitError } from "../errors.ts"
import { freePort, releasePort, reservePort } from "../Ports.ts"
import { generateTls } from "../Tls.ts"
import type { ServerStatus, TlsInfo, ValkeyServerHandle, ValkeyServerOptions } from "../ValkeyServer.ts"
import { configLines, renderConfig } from "./config.ts"
import { type SpawnedProcess, sendSignal, spawnProcess, terminate } from "./processes.ts"
import { done, notYet, pollUntil, sleepReal } from "./time.ts"

const HOST = "127.0.0.1"
const PORT_ATTEMPTS = 5

/**
 * Reads the scheduler state of a Linux process (`T` = stopped); `undefined` elsewhere.
 */
const processState = (pid: number): string | undefined => {
  try {
    const stat = Fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3)
  } catch {
    return undefined
  }
}

const waitForState = (pid: number, stopped: boolean): Effect.Effect<void> =>
  pollUntil({
    what: `process ${pid} to be ${stopped ? "stopped" : "continued"}`,
    timeoutMs: 1_000,
    intervalMs: 5,
    check: Effect.sync(() => {
      const state = processState(pid)
      // Without /proc there is nothing to observe; signals are delivered promptly anyway
      if (state === undefined || (state === "T") === stopped) return done(undefined)
      return notYet(`state ${state}`)
    })
  }).pipe(Effect.ignore)

class ServerInstance implements ValkeyServerHandle {
  readonly host: string
  readonly dir: string
  readonly password: string | undefined
  readonly tls: TlsInfo | undefined
  port: number
  clusterPort: number | undefined
  private readonly options: ValkeyServerOptions
  private readonly binary: string
  private readonly lock = Semaphore.makeUnsafe(1)
  private readonly startTimeoutMs: number
  private readonly stopGraceMs: number
  private readonly commandTimeout: Duration.Input
  private proc: SpawnedProcess | undefined = undefined
  private lastPid = 0
  private paused = false
  private closed = false

  constructor(
    options: ValkeyServerOptions,
    dir: string,
    tls: TlsInfo | undefined,
    port: number,
    clusterPort: number | undefined
  ) {
    this.options = options
    this.host = options.host ?? HOST
    this.dir = dir
    this.tls = tls
    this.password = options.password
    this.port = port
    this.clusterPort = clusterPort
    this.binary = options.binary ?? process.env.VALKEY_SERVER ?? "valkey-server"
    this.startTimeoutMs = Duration.toMillis(options.startTimeout ?? "10 seconds")
    this.stopGraceMs = Duration.toMillis(options.stopTimeout ?? "3 seconds")
    this.commandTimeout = options.commandTimeout ?? AdminClient.defaultCommandTimeout
  }

  get address(): string {
    return `${this.host}:${this.port}`
  }

  get url(): string {
    const scheme = this.tls === undefined ? "valkey" : "valkeys"
    const auth = this.password === undefined ? "" : `default:${encodeURIComponent(this.password)}@`
    const host = this.host.includes(":") ? `[${this.host}]` : this.host
    return `${scheme}://${auth}${host}:${this.port}`
  }

  get pid(): number {
    return this.lastPid
  }

  get status(): ServerStatus {
    if (this.proc === undefined || this.proc.exited()) return "stopped"
    return this.paused ? "paused" : "running"
  }

  get target(): AdminTarget {
    return {
      host: this.host,
      port: this.port,
      ...(this.tls === undefined ? {} : { tls: { ca: this.tls.ca, cert: this.tls.cert, key: this.tls.key } }),
      ...(this.password === undefined ? {} : { credentials: { password: this.password } })
    }
  }

  readonly log = (): string => this.proc?.log() ?? ""

  command(args: ReadonlyArray<string>, options?: CommandOptions): Effect.Effect<AdminReply, AdminError> {
    return AdminClient.command(this.target, args, { timeout: this.commandTimeout, ...options })
  }

  pipeline(
    commands: ReadonlyArray<ReadonlyArray<string>>,
    options?: CommandOptions
  ): Effect.Effect<ReadonlyArray<AdminReply>, AdminError> {
    return AdminClient.pipeline(this.target, commands, { timeout: this.commandTimeout, ...options })
  }

  private writeConfig(): Effect.Effect<string, SetupError> {
    const file = Path.join(this.dir, "valkey.conf")
    const text = renderConfig({
      host: this.host,
      port: this.port,
      clusterPort: this.clusterPort,
      dir: this.dir,
      password: this.options.password,
      users: this.options.users ?? [],
      tls: this.tls,
      persistence: this.options.persistence ?? false,
      modules: this.options.modules ?? [],
      extra: configLines(this.options.config)
    })
    return Effect.tryPromise({
      try: () => FsP.writeFile(file, text).then(() => file),
      catch: (cause) => new SetupError({ message: `could not write ${file}`, cause })
    })
  }

  private startError(message: string, proc: SpawnedProcess | undefined, cause?: unknown): ServerStartError {
    const log = proc?.log() ?? ""
    return new ServerStartError({
      message: `valkey-server on port ${this.port}: ${message}${log === "" ? "" : `\n--- server log ---\n${log}`}`,
      port: this.port,
      log,
      ...(cause === undefined ? {} : { cause })
    })
  }

  private waitReady(proc: SpawnedProcess): Effect.Effect<void, ServerStartError> {
    return pollUntil({
      what: `valkey-server on port ${this.port} to answer PING`,
      timeoutMs: this.startTimeoutMs,
      intervalMs: 20,
      check: Effect.suspend(() => {
        if (proc.exited()) {
          return Effect.fail(
            this.startError(
              `exited during start-up (code ${proc.child.exitCode}, signal ${proc.child.signalCode})`,
              proc
            )
          )
        }
        return this.command(["PING"], { timeout: "1 second" }).pipe(
          Effect.map((reply) => (reply === "PONG" ? done(undefined) : notYet(`PING replied ${JSON.stringify(reply)}`))),
          Effect.catch((error) => Effect.succeed(notYet(error.message)))
        )
      })
    }).pipe(Effect.catchTag("ConvergenceError", (error) => Effect.fail(this.startError(error.message, proc))))
  }

  /**
   * Spawns and waits for PING. On `EADDRINUSE` (another process took the port between the
   * probe and the bind) it moves to fresh ports if allowed, otherwise retries the same port.
   */
  private launch(allowPortChange: boolean): Effect.Effect<void, ServerStartError | SetupError> {
    const attempt = (left: number): Effect.Effect<void, ServerStartError | SetupError> =>
      Effect.gen({ self: this }, function* () {
        const configFile = yield* this.writeConfig()
        const args = this.options.sentinel === true ? [configFile, "--sentinel"] : [configFile]
        const proc = yield* spawnProcess(this.binary, args, this.dir).pipe(
          Effect.mapError((cause) =>
            this.startError(`could not spawn ${this.binary}: ${cause.message}`, undefined, cause)
          )
        )
        this.proc = proc
        this.lastPid = proc.pid
        this.paused = false
        const exit = yield* Effect.exit(this.waitReady(proc))
        if (Exit.isSuccess(exit)) return
        yield* terminate(proc.child, 0)
        if (left > 0 && /address already in use/i.test(proc.log())) {
          if (allowPortChange) {
            releasePort(this.port)
            this.port = yield* freePort
            if (this.clusterPort !== undefined) {
              releasePort(this.clusterPort)
              this.clusterPort = yield* freePort
            }
          } else {
            yield* sleepReal(250)
          }
          return yield* attempt(left - 1)
        }
        return yield* exit
      })
    return attempt(PORT_ATTEMPTS)
  }

  private stopWith(graceMs: number): Effect.Effect<void> {
    return Effect.suspend(() => {
      const proc = this.proc
      this.paused = false
      return proc === undefined ? Effect.void : terminate(proc.child, graceMs)
    })
  }

  private locked<A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> {
    return this.lock.withPermits(1)(effect)
  }

  private ensureOpen(): Effect.Effect<void, InvalidStateError> {
    return this.closed
      ? Effect.fail(new InvalidStateError({ message: `server on port ${this.port} was shut down with its scope` }))
      : Effect.void
  }

  /** First start; may move to other ports when the chosen one is taken. */
  readonly boot: Effect.Effect<void, ServerStartError | SetupError> = this.locked(
    Effect.suspend(() => this.launch(this.options.port === undefined))
  )

  readonly kill: Effect.Effect<void> = this.locked(Effect.suspend(() => this.stopWith(0)))

  readonly stop: Effect.Effect<void> = this.locked(Effect.suspend(() => this.stopWith(this.stopGraceMs)))

  readonly start: Effect.Effect<void, TestkitError> = this.locked(
    Effect.gen({ self: this }, function* () {
      yield* this.ensureOpen()
      if (this.status !== "stopped") return
      yield* this.launch(false)
    })
  )

  readonly restart: Effect.Effect<void, TestkitError> = this.locked(
    Effect.gen({ self: this }, function* () {
      yield* this.ensureOpen()
      yield* this.stopWith(this.stopGraceMs)
      yield* this.launch(false)
    })
  )

  readonly pause: Effect.Effect<void, InvalidStateError> = this.locked(
    Effect.gen({ self: this }, function* () {
      const proc = this.proc
      if (proc === undefined || proc.exited()) {
        return yield* new InvalidStateError({ message: `cannot pause server on port ${this.port}: it is not running` })
      }
      yield* sendSignal(proc.child, "SIGSTOP")
      this.paused = true
      yield* waitForState(proc.pid, true)
    })
  )

  readonly resume: Effect.Effect<void, InvalidStateError> = this.locked(
    Effect.gen({ self: this }, function* () {
      const proc = this.proc
      if (proc === undefined || proc.exited()) {
        return yield* new InvalidStateError({ message: `cannot resume server on port ${this.port}: it is not running` })
      }
      yield* sendSignal(proc.child, "SIGCONT")
      this.paused = false
      yield* waitForState(proc.pid, false)
    })
  )

  /** Scope finalizer: stop for good and give the ports back. Runs without the lock so a
   * stuck operation cannot keep the process alive. */
  readonly shutdown: Effect.Effect<void> = Effect.suspend(() => {
    this.closed = true
    return this.stopWith(this.stopGraceMs)
  }).pipe(
    Effect.ensuring(
      Effect.sync(() => {
        releasePort(this.port)
        if (this.clusterPort !== undefined) releasePort(this.clusterPort)
      })
    )
  )
}

const makeTempDir = Effect.acquireRelease(
  Effect.tryPromise({
    try: () => FsP.mkdtemp(Path.join(Os.tmpdir(), "effect-valkey-")),
    catch: (cause) => new SetupError({ message: "could not create a temp directory", cause })
  }),
  (dir) => Effect.promise(() => FsP.rm(dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined))
)

/**
 * @since 0.1.0
 * @category constructors
 */
export const makeServer = (
  options: ValkeyServerOptions
): Effect.Effect<ValkeyServerHandle, TestkitError, Scope.Scope> =>
  Effect.gen(function* () {
    const dir = yield* makeTempDir
    const tls: TlsInfo | undefined =
      options.tls === undefined || options.tls === false
        ? undefined
        : {
            ...(options.tls === true ? yield* generateTls(dir) : options.tls),
            authClients: options.tlsAuthClients ?? false
          }
    const port = options.port ?? (yield* freePort)
    if (options.port !== undefined) reservePort(options.port)
    const clusterPort = options.cluster === true ? yield* freePort : undefined
    // The finalizer is registered before the process exists, so an interruption or a
    // failure anywhere in start-up still stops whatever was spawned
    const instance = yield* Effect.acquireRelease(
      Effect.sync(() => new ServerInstance(options, dir, tls, port, clusterPort)),
      (server) => server.shutdown
    )
    yield* instance.boot
    return instance
  })
