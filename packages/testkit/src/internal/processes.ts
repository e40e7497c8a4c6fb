/**
 * Spawning and stopping server processes without ever leaving orphans. Three layers of
 * defence: scope finalizers stop servers normally; a process-wide registry SIGKILLs every
 * live child on `exit` and on SIGINT/SIGTERM/SIGHUP; and on Linux, `setpriv --pdeathsig`
 * makes the kernel kill the server when the test runner dies even by SIGKILL, where no
 * JavaScript handler can run.
 *
 * @since 0.1.0
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Effect from "effect/Effect"
import { sleepReal } from "./time.ts"

const live = new Set<ChildProcess>()
let handlersInstalled = false

const isAlive = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null

const killAllSync = (): void => {
  for (const child of live) {
    try {
      if (isAlive(child)) child.kill("SIGKILL")
    } catch {
      // the process may already be gone; nothing else can be done synchronously
    }
  }
  live.clear()
}

const installHandlers = (): void => {
  if (handlersInstalled) return
  handlersInstalled = true
  process.on("exit", killAllSync)
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const handler = () => {
      killAllSync()
      // If nobody else handles the signal, restore the default behaviour (terminate)
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, handler)
        process.kill(process.pid, signal)
      }
    }
    process.on(signal, handler)
  }
}

const findOnPath = (name: string): string | undefined => {
  for (const dir of (process.env.PATH ?? "").split(Path.delimiter)) {
    if (dir === "") continue
    const candidate = Path.join(dir, name)
    try {
      Fs.accessSync(candidate, Fs.constants.X_OK)
      return candidate
    } catch {
      // not in this directory
    }
  }
  return undefined
}

let setpriv: string | undefined | null = null
const setprivPath = (): string | undefined => {
  if (setpriv === null) setpriv = process.platform === "linux" ? findOnPath("setpriv") : undefined
  return setpriv
}

/**
 * A spawned server process and the tail of what it printed.
 *
 * @since 0.1.0
 * @category models
 */
export interface SpawnedProcess {
  readonly child: ChildProcess
  readonly pid: number
  readonly log: () => string
  readonly exited: () => boolean
}

const LOG_LINES = 80

/**
 * Spawns `binary args` and registers it for last-resort cleanup. Output is kept in a
 * small ring buffer for error messages (and drained, so the pipe never blocks the child).
 *
 * @since 0.1.0
 * @category processes
 */
export const spawnProcess = (
  binary: string,
  args: ReadonlyArray<string>,
  cwd: string
): Effect.Effect<SpawnedProcess, Error> =>
  Effect.callback<SpawnedProcess, Error>((resume) => {
    installHandlers()
    const wrapper = setprivPath()
    const [file, argv] =
      wrapper === undefined ? [binary, [...args]] : [wrapper, ["--pdeathsig", "KILL", "--", binary, ...args]]
    const child = spawn(file, argv, { cwd, stdio: ["ignore", "pipe", "pipe"] })
    const lines: Array<string> = []
    let partial = ""
    const collect = (chunk: Buffer) => {
      const text = partial + chunk.toString("utf8")
      const parts = text.split("\n")
      partial = parts.pop() ?? ""
      lines.push(...parts)
      if (lines.length > LOG_LINES) lines.splice(0, lines.length - LOG_LINES)
    }
    child.stdout?.on("data", collect)
    child.stderr?.on("data", collect)
    child.once("exit", () => live.delete(child))
    const log = () => [...lines, partial].join("\n").trim()
    child.once("error", (error) => resume(Effect.fail(error)))
    child.once("spawn", () => {
      live.add(child)
      resume(
        Effect.succeed({
          child,
          pid: child.pid!,
          log,
          exited: () => !isAlive(child)
        })
      )
    })
  })

/**
 * Waits up to `millis` of real time for the process to exit; `true` if it did.
 *
 * @since 0.1.0
 * @category processes
 */
export const waitForExit = (child: ChildProcess, millis: number): Effect.Effect<boolean> =>
  Effect.suspend(() => {
    if (!isAlive(child)) return Effect.succeed(true)
    return Effect.raceFirst(
      Effect.callback<boolean>((resume) => {
        const onExit = () => resume(Effect.succeed(true))
        child.once("exit", onExit)
        if (!isAlive(child)) resume(Effect.succeed(true))
        return Effect.sync(() => child.removeListener("exit", onExit))
      }),
      Effect.as(sleepReal(millis), false)
    )
  })

const signal = (child: ChildProcess, name: NodeJS.Signals): void => {
  try {
    if (isAlive(child)) child.kill(name)
  } catch {
    // already gone
  }
}

/**
 * Sends a signal (SIGSTOP, SIGCONT, ...) if the process is still alive.
 *
 * @since 0.1.0
 * @category processes
 */
export const sendSignal = (child: ChildProcess, name: NodeJS.Signals): Effect.Effect<void> =>
  Effect.sync(() => signal(child, name))

/**
 * Stops a process: SIGTERM (plus SIGCONT, so a paused process can act on it), then
 * SIGKILL once `graceMs` have passed. With `graceMs = 0` it SIGKILLs at once. Always
 * waits (bounded) for the exit so the port is free when this returns.
 *
 * @since 0.1.0
 * @category processes
 */
export const terminate = (child: ChildProcess, graceMs: number): Effect.Effect<void> =>
  Effect.gen(function* () {
    if (!isAlive(child)) return
    if (graceMs > 0) {
      signal(child, "SIGTERM")
      signal(child, "SIGCONT")
      if (yield* waitForExit(child, graceMs)) return
    }
    signal(child, "SIGKILL")
    yield* waitForExit(child, 5_000)
  }).pipe(
    Effect.ensuring(Effect.sync(() => live.delete(child))),
    // A half-done stop would leak a process; finish it even when interrupted
    Effect.uninterruptible
  )

/**
 * Number of processes the registry currently tracks (for leak checks in tests).
 *
 * @since 0.1.0
 * @category processes
 */
export const liveProcessCount = (): number => live.size
