/**
 * One multiplexed, auto-pipelined socket to one node.
 *
 * Callers from any number of fibers share it: commands issued in the same tick are coalesced
 * into one socket write (two, when as many already await replies: see `push`), replies resolve
 * a FIFO of pending requests in order, and RESP3 push frames go to a push handler instead. Past `inflightLimit` waiting requests a call fails at
 * once with `InflightLimitError`. One timer per connection (not per request) enforces the
 * request timeout, because replies come back in order. After a connection loss the requests
 * that were written fail with `ConnectionError` (they may have run: never silently re-sent),
 * the handshake is replayed on a new socket with backoff, and requests issued meanwhile wait.
 *
 * @since 0.1.0
 */

import type * as Net from "node:net"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Scope from "effect/Scope"
import { type Command, name as commandName, settle } from "../Command.ts"
import * as Session from "../commands/session.ts"
import {
  type AuthError,
  ClosedError,
  type CommandError,
  ConnectionError,
  InflightLimitError,
  type ProtocolError,
  TimeoutError
} from "../errors.ts"
import { RespDecoder } from "../resp/decoder.ts"
import { CommandWriter } from "../resp/encoder.ts"
import { type RespArg, RespError, type RespPush, type RespValue } from "../resp/types.ts"
import type { ConnectionOptions } from "./ConnectionOptions.ts"
import * as Handshake from "./Handshake.ts"
import { PendingQueue, type Resume } from "./PendingQueue.ts"

export type {
  /**
   * Completes a pending request: resumes its caller with the reply, or with the error, as an Effect.
   *
   * @since 0.1.0
   * @category models
   */
  Resume
} from "./PendingQueue.ts"

import * as Socket from "./Socket.ts"

/**
 * Where a connection is in its life.
 *
 * @since 0.1.0
 * @category models
 */
export type ConnectionStatus = "connecting" | "ready" | "reconnecting" | "disconnected" | "closed"

/**
 * The fewest unsent commands written before the end of a tick (see `push`). Alone, 4: at 10
 * callers the client then writes the first half of the next round while it still resumes the
 * rest, which gained 6-8% over 16. In a flush group (a cluster), 16: there every early write
 * is one more syscall on one of several sockets, and the group exists to save those.
 */
const EARLY_FLUSH = 4
const EARLY_FLUSH_GROUPED = 16

/** The first wait before a command answered `-LOADING` is sent again; it doubles up to the cap. */
const LOADING_BACKOFF = 10
const LOADING_BACKOFF_CAP = 200

/**
 * What a connection dedicated to pub/sub hears (see `Connection.setSubscriber`).
 *
 * @since 0.1.0
 * @category models
 */
export interface SubscriberHandlers {
  /**
   * Every push frame (its elements) and every reply no request waits for, with strings as
   * bytes since payloads may be binary. RESP3 confirms (P|S)SUBSCRIBE with push frames; RESP2
   * subscribed mode sends confirmations and messages as such replies; a refused SUBSCRIBE
   * comes as a `RespError` reply in both.
   */
  readonly onFrame: (frame: RespValue) => void
  /**
   * Every frame of one socket read went to `onFrame`: a subscriber may hold the messages of a
   * read and hand them to its consumers together.
   *
   * @since 0.3.0
   */
  readonly onRead?: (() => void) | undefined
  /** The socket was lost: the server forgot this connection's subscriptions with it. */
  readonly onDisconnect: () => void
  /**
   * Whether the strings of the next frame are wanted as bytes (the default); false hands
   * them over as text, decoded straight from the socket's buffer.
   *
   * @since 0.2.0
   */
  readonly bytes?: (() => boolean) | undefined
}

/**
 * One multiplexed connection to a node: the commands of every caller share its socket and their
 * replies come back in order.
 *
 * @since 0.1.0
 * @category models
 */
export interface Connection {
  /** `host:port` of the node. */
  readonly address: string
  /** Sends one command and waits for its reply. */
  send<A>(command: Command<A>): Effect.Effect<A, CommandError>
  /**
   * Sends commands back to back (no other caller's command can come between them on the
   * wire) and gives each one's outcome. Refused as a whole, with nothing sent, when they do
   * not all fit under the inflight limit.
   */
  sendBatch(
    commands: ReadonlyArray<Command<unknown>>
  ): Effect.Effect<Array<Exit.Exit<unknown, CommandError>>, CommandError>
  /** The RESP version agreed in the handshake (2 on servers without HELLO). */
  readonly protocol: () => 2 | 3
  readonly status: () => ConnectionStatus
  /** Requests waiting for a reply (or for the connection), as counted by the inflight limit. */
  readonly inflight: () => number
  /** Push frames (RESP3 `>`): pub/sub messages, invalidations. One handler per connection. */
  readonly setPushHandler: (handler: ((push: RespPush) => void) | undefined) => void
  /** Called after every successful (re)connect, before queued requests are written. */
  readonly setReconnectHandler: (handler: (() => void) | undefined) => void
  /**
   * Dedicates the connection to pub/sub: frames go to `handlers` instead of the push handler,
   * and a reply with no request waiting is a frame, not a protocol fault. Under RESP2 the
   * connection must then not be used for `send` (its replies would be mistaken for frames).
   */
  readonly setSubscriber: (handlers: SubscriberHandlers | undefined) => void
  /**
   * Writes commands that get no reply of their own ((P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE: their
   * confirmations are frames). Nothing enters the FIFO. Writes only when ready and returns
   * whether it did; a disconnected connection starts reconnecting.
   */
  readonly writeUnanswered: (commands: ReadonlyArray<ReadonlyArray<RespArg>>) => boolean
  /** Stops or resumes reading the current socket: backpressure to the server. */
  readonly pauseReading: (paused: boolean) => void
  /**
   * Sends SELECT or CLIENT SETNAME and, once the server accepted it, replays it in every later
   * handshake, so the change survives reconnects. For connections of one owner (dedicated).
   */
  readonly select: (database: number) => Effect.Effect<"OK", CommandError>
  readonly setName: (name: string) => Effect.Effect<"OK", CommandError>
  /** Fails pending and later calls with `ClosedError` and closes the socket. Idempotent. */
  readonly close: Effect.Effect<void>
  /**
   * Drops the socket as if the network failed (tests, and forced reconnects): what was written
   * fails with `ConnectionError` at once (it may have run), the rest waits for the reconnect.
   */
  readonly destroySocket: () => void
  /**
   * Removes the requests not yet written (waiting for a reconnect) and hands them over with
   * their deadlines, so a cluster router can send them to the node that now owns their slots.
   * They never ran.
   */
  readonly takeUnsent: () => Array<readonly [Command<unknown>, Resume, deadline: number]>
  /**
   * How long (ms) the oldest request written to the socket has waited for its reply: 0 when
   * none waits, or without a request timeout. A node that stopped answering (paused, hung)
   * shows here long before the request timeout.
   *
   * @since 0.3.0
   */
  readonly stalledMillis: () => number
  /** What the server said of itself in HELLO (RESP3 only): version, role, availability zone. */
  readonly serverInfo: () => ReadonlyMap<string, RespValue> | undefined
  /**
   * Points the connection at another node (a Sentinel failover): requests already written
   * fail with `ConnectionError` (they may have run: never re-sent), the ones not yet written
   * wait and go to the new node once its handshake is done. Reconnects at once, without
   * waiting out the backoff. A no-op when the address is the same or the connection closed.
   *
   * @since 0.2.0
   */
  readonly moveTo: (host: string, port: number) => void
}

interface HandshakeWaiter {
  readonly expected: number
  readonly replies: Array<RespValue>
  readonly resume: (effect: Effect.Effect<ReadonlyArray<RespValue>>) => void
}

const fail = (error: CommandError) => Exit.fail(error)

class ConnectionImpl implements Connection {
  address: string
  /** Mutable only through `moveTo`. */
  private options: ConnectionOptions
  private readonly runFork: <A, E>(effect: Effect.Effect<A, E>) => Fiber.Fiber<A, E>
  private readonly queue: PendingQueue
  private readonly writer = new CommandWriter()
  private readonly decoder: RespDecoder
  private state: ConnectionStatus
  private socket: Net.Socket | undefined = undefined
  private agreed: 2 | 3 = 3
  private handshake: HandshakeWaiter | undefined = undefined
  private flushScheduled = false
  /** A batch is being queued: no early write until all of it is (see `sendBatch`). */
  private batching = false
  private timer: ReturnType<typeof setTimeout> | undefined = undefined
  private timerAt = Infinity
  private reconnectFiber: Fiber.Fiber<void, unknown> | undefined = undefined
  private pushHandler: ((push: RespPush) => void) | undefined = undefined
  private reconnectHandler: (() => void) | undefined = undefined
  private subscriber: SubscriberHandlers | undefined = undefined
  private lastError: ConnectionError | undefined = undefined
  /** Ready at least once: the next successful connect is a reconnect. */
  private wasReady = false

  constructor(
    options: ConnectionOptions,
    runFork: <A, E>(effect: Effect.Effect<A, E>) => Fiber.Fiber<A, E>,
    initial: "connecting" | "disconnected"
  ) {
    this.options = options
    this.session = { database: options.database, clientName: options.clientName }
    this.state = initial
    this.runFork = runFork
    this.address = Socket.address(options)
    this.queue = new PendingQueue(options.inflightLimit)
    this.decoder = new RespDecoder(
      {
        onReply: (reply) => this.onReply(reply),
        onPush: (push) => {
          if (this.subscriber !== undefined) this.subscriber.onFrame(push.data)
          else (this.pushHandler ?? this.options.tracking?.onPush)?.(push)
        },
        bytesForNextReply: () => {
          const queue = this.queue
          if (this.handshake !== undefined) return false
          if (queue.head < queue.sent) return queue.commands[queue.slot(queue.head)]!.bytes
          return this.subscriberBytes()
        },
        bytesForNextPush: () => this.subscriberBytes()
      },
      { ...options.decoder, reusedChunks: true }
    )
  }

  private subscriberBytes(): boolean {
    const subscriber = this.subscriber
    return subscriber !== undefined && subscriber.bytes?.() !== false
  }

  readonly protocol = () => this.agreed
  readonly status = () => this.state
  readonly inflight = () => this.queue.size
  readonly setPushHandler = (handler: ((push: RespPush) => void) | undefined) => {
    this.pushHandler = handler
  }
  readonly setReconnectHandler = (handler: (() => void) | undefined) => {
    this.reconnectHandler = handler
  }
  readonly setSubscriber = (handlers: SubscriberHandlers | undefined) => {
    this.subscriber = handlers
  }
  readonly writeUnanswered = (commands: ReadonlyArray<ReadonlyArray<RespArg>>): boolean => {
    const socket = this.socket
    if (this.state !== "ready" || socket === undefined) {
      if (this.state === "disconnected") this.reconnect()
      return false
    }
    // Requests already queued go first, so the wire order is the call order.
    this.flush()
    for (const args of commands) this.writer.push(args)
    this.write(socket)
    return true
  }
  /** What SELECT and CLIENT SETNAME changed since the options: replayed by every handshake. */
  private session: { readonly database: number; readonly clientName: string | undefined }

  readonly select = (database: number): Effect.Effect<"OK", CommandError> =>
    Effect.tap(this.send(Session.select(database)), () =>
      Effect.sync(() => {
        this.session = { ...this.session, database }
      })
    )

  readonly setName = (name: string): Effect.Effect<"OK", CommandError> =>
    Effect.tap(this.send(Session.clientSetName(name)), () =>
      Effect.sync(() => {
        this.session = { ...this.session, clientName: name }
      })
    )

  readonly pauseReading = (paused: boolean) => {
    if (paused) this.socket?.pause()
    else this.socket?.resume()
  }

  // ---------------------------------------------------------------------------------------
  // The hot path: one plain function returning Effect.callback with a one-parameter register
  // (no AbortSignal, no finalizer). An interrupted caller keeps its FIFO slot; its reply is
  // read and dropped, so replies never go out of order.
  // ---------------------------------------------------------------------------------------

  send<A>(command: Command<A>): Effect.Effect<A, CommandError> {
    return Effect.callback<A, CommandError>((resume) => this.enqueue(command, resume as Resume))
  }

  private enqueue(command: Command<unknown>, resume: Resume): void {
    const refusal = this.refusal(command, 1)
    if (refusal !== undefined) {
      resume(fail(refusal))
      return
    }
    this.push(command, resume, 1, this.deadlineOf(command))
  }

  sendBatch(
    commands: ReadonlyArray<Command<unknown>>
  ): Effect.Effect<Array<Exit.Exit<unknown, CommandError>>, CommandError> {
    return Effect.callback<Array<Exit.Exit<unknown, CommandError>>, CommandError>((resume) => {
      const n = commands.length
      const results = new Array<Exit.Exit<unknown, CommandError>>(n)
      if (n === 0) return resume(Effect.succeed(results))
      const refusal = this.refusal(commands[0]!, n)
      if (refusal !== undefined) return resume(fail(refusal))
      let remaining = n
      // One write for the whole batch: an early write half-way would leave the rest (EXEC of a
      // transaction) to a later write, which a lost socket could send to another node.
      this.batching = true
      for (let i = 0; i < n; i++) {
        const command = commands[i]!
        const done = (exit: Effect.Effect<unknown, unknown>) => {
          results[i] = exit as Exit.Exit<unknown, CommandError>
          if (--remaining === 0) resume(Effect.succeed(results))
        }
        if (command.invalid !== undefined) done(fail(command.invalid))
        else this.push(command, done, 0, this.deadlineOf(command))
      }
      this.batching = false
      if (this.state === "ready" && this.early()) this.flush()
    })
  }

  /**
   * Whether the unsent commands go out now rather than at the end of the tick: once they are
   * as many as those awaiting replies, and at least EARLY_FLUSH (EARLY_FLUSH_GROUPED in a
   * flush group).
   */
  private early(): boolean {
    const queue = this.queue
    const unsent = queue.tail - queue.sent
    const floor = this.options.flushGroup === undefined ? EARLY_FLUSH : EARLY_FLUSH_GROUPED
    return unsent >= floor && unsent >= queue.sent - queue.head
  }

  /** `retries`: 0 for a command of a batch (never re-sent alone), else 1 + LOADING retries so far. */
  private push(command: Command<unknown>, resume: Resume, retries: number, deadline: number): void {
    const queue = this.queue
    queue.push(resume, command, deadline, retries)
    if (deadline < this.timerAt) this.setTimer(deadline)
    const state = this.state
    if (state === "ready") {
      // Commands issued in one tick are coalesced into one write at the end of the tick, but
      // once the unsent ones are as many as those awaiting replies (and at least EARLY_FLUSH),
      // they go out now: the server works on them while the client still issues the rest.
      // Strict one-write-per-tick made client and server take turns (the client sat ~40% idle
      // at 100 callers); writing in halves overlaps them.
      if (!this.batching && this.early()) {
        this.flush()
      } else if (!this.flushScheduled) {
        this.flushScheduled = true
        const group = this.options.flushGroup
        if (group === undefined) process.nextTick(this.flush)
        else group.schedule(this.flush)
      }
    } else if (state === "disconnected") {
      this.reconnect()
    }
  }

  /** Why a command cannot be queued now, if it cannot. Nothing is queued or sent then. */
  private refusal(command: Command<unknown>, count: number): CommandError | undefined {
    if (count === 1 && command.invalid !== undefined) return command.invalid
    if (this.state === "closed") return new ClosedError({ message: `connection to ${this.address} is closed` })
    if (this.queue.size + count > this.options.inflightLimit) {
      return new InflightLimitError({
        message:
          count === 1
            ? `${this.options.inflightLimit} requests are already in flight on ${this.address}`
            : `a batch of ${count} does not fit under the inflight limit of ${this.options.inflightLimit} on ${this.address}`,
        command: commandName(command),
        limit: this.options.inflightLimit
      })
    }
    return undefined
  }

  private deadlineOf(command: Command<unknown>): number {
    const block = command.blockMillis
    if (block === undefined) {
      const timeout = this.options.requestTimeoutMillis
      return timeout > 0 ? Date.now() + timeout : Infinity
    }
    return block === 0 ? Infinity : Date.now() + block + this.options.blockingMarginMillis
  }

  private readonly flush = (): void => {
    this.flushScheduled = false
    const socket = this.socket
    if (this.state !== "ready" || socket === undefined) return
    const queue = this.queue
    if (queue.sent === queue.tail) return
    const writer = this.writer
    for (let seq = queue.sent; seq < queue.tail; seq++) writer.push(queue.commands[queue.slot(seq)]!.args)
    queue.sent = queue.tail
    this.write(socket)
  }

  /** Writes what the writer holds; its slab is reused when the socket took everything at once. */
  private write(socket: Net.Socket): void {
    socket.write(this.writer.take())
    // Nothing left buffered by the stream or by a pending native write: no chunk of the slab
    // is referenced any more (a write that completes synchronously has been copied out).
    if (socket.writableLength === 0) this.writer.rewind()
  }

  private onReply(reply: RespValue): void {
    const handshake = this.handshake
    if (handshake !== undefined) {
      handshake.replies.push(reply)
      if (handshake.replies.length === handshake.expected) {
        this.handshake = undefined
        handshake.resume(Effect.succeed(handshake.replies))
      }
      return
    }
    const queue = this.queue
    if (queue.head === queue.sent && this.subscriber !== undefined) {
      this.subscriber.onFrame(reply)
      return
    }
    if (queue.head === queue.sent) {
      // A reply nobody asked for: the stream is out of step, so nothing after it can be trusted.
      this.socket?.destroy(new Error("a reply arrived with no request waiting for it"))
      return
    }
    const i = queue.shift()
    const resume = queue.resumes[i]
    const command = queue.commands[i]!
    queue.clear(i)
    if (resume === undefined) return
    if (reply instanceof RespError && reply.code === "LOADING" && queue.retries[i]! > 0) {
      if (this.retryLoading(command, resume, queue.deadlines[i]!, queue.retries[i]!)) return
    }
    resume(settle(command, reply))
  }

  /**
   * A server loading its dataset (just restarted, a replica syncing) answers `-LOADING`: it
   * ran nothing, so a lone command is sent again after a backoff while its deadline allows
   * (a command of a batch is not: MULTI/EXEC and pipelines stay together and in order).
   * Returns false when the deadline leaves no room: the caller gets the `LOADING` error.
   */
  private retryLoading(command: Command<unknown>, resume: Resume, deadline: number, retries: number): boolean {
    const wait = Math.min(LOADING_BACKOFF * 2 ** (retries - 1), LOADING_BACKOFF_CAP)
    // Room for the wait and as long again for the answer: else the caller hears LOADING now.
    if (retries >= 255 || Date.now() + 2 * wait >= deadline) return false
    // A replica loading a full sync: a cluster router sends the read to the primary instead.
    if (this.hello?.get("role") === "replica") return false
    this.options.onRetry?.(this.address, "LOADING")
    setTimeout(() => {
      const refusal = this.refusal(command, 1)
      if (refusal !== undefined) resume(fail(refusal))
      else this.push(command, resume, retries + 1, deadline)
    }, wait)
    return true
  }

  // ---------------------------------------------------------------------------------------
  // Request timeouts: one timer, armed for the earliest deadline among waiting requests.
  // ---------------------------------------------------------------------------------------

  // With one request timeout, deadlines grow with the queue, so in steady state the timer is
  // set once per timeout period, when it fires, and never on the per-request path.
  private setTimer(at: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timerAt = at
    this.timer = setTimeout(this.onTimer, Math.max(0, at - Date.now()))
    this.timer.unref()
  }

  private readonly onTimer = (): void => {
    this.timer = undefined
    this.timerAt = Infinity
    const now = Date.now()
    const queue = this.queue
    let earliest = Infinity
    for (let seq = queue.head; seq < queue.tail; seq++) {
      const i = queue.slot(seq)
      const resume = queue.resumes[i]
      if (resume === undefined) continue
      if (queue.deadlines[i]! > now) {
        if (queue.deadlines[i]! < earliest) earliest = queue.deadlines[i]!
        continue
      }
      const command = queue.commands[i]!
      queue.resumes[i] = undefined
      const millis =
        command.blockMillis === undefined
          ? this.options.requestTimeoutMillis
          : command.blockMillis + this.options.blockingMarginMillis
      resume(
        fail(
          new TimeoutError({
            message: `${commandName(command)} got no reply from ${this.address} within ${millis} ms`,
            command: commandName(command),
            timeoutMillis: millis
          })
        )
      )
    }
    if (earliest < Infinity && this.state !== "closed") this.setTimer(earliest)
  }

  // ---------------------------------------------------------------------------------------
  // Connecting, the handshake, losing the socket and reconnecting.
  // ---------------------------------------------------------------------------------------

  /**
   * One attempt: open a socket, run the handshake, then write what waited meanwhile. The
   * connect timeout bounds both: a server that accepts but never answers (paused, overloaded)
   * fails the attempt too.
   */
  readonly connectOnce: Effect.Effect<void, ConnectionError | AuthError> = Effect.suspend(() => {
    const deadline = Date.now() + this.options.connectTimeoutMillis
    // A credentials provider runs before every attempt (a fresh token for each connect).
    return Effect.andThen(this.options.credentials.resolve, Socket.open(this.options, this.receive)).pipe(
      Effect.flatMap((socket) => {
        if (this.state === "closed") {
          socket.destroy()
          return Effect.fail(
            new ConnectionError({ message: "connection closed while connecting", address: this.address })
          )
        }
        this.attach(socket)
        return this.runHandshake(socket).pipe(
          Effect.timeoutOrElse({
            duration: Math.max(1, deadline - Date.now()),
            orElse: () =>
              Effect.fail(
                new ConnectionError({
                  message: `the handshake with ${this.address} took longer than the connect timeout (${this.options.connectTimeoutMillis} ms)`,
                  address: this.address
                })
              )
          }),
          Effect.tapError(() => Effect.sync(() => socket.destroy())),
          Effect.flatMap(() =>
            Effect.sync(() => {
              if (this.state === "closed") return
              this.state = "ready"
              this.lastError = undefined
              if (this.wasReady) this.options.onReconnect?.(this.address)
              this.wasReady = true
              this.reconnectHandler?.()
              this.queue.compactUnsent()
              this.flush()
            })
          )
        )
      })
    )
  })

  /** What the current socket read; the decoder copies what it keeps (see `Socket.open`). */
  private readonly receive = (chunk: Buffer): void => {
    const error = this.decoder.feed(chunk)
    this.subscriber?.onRead?.()
    if (error !== undefined && this.socket !== undefined) this.onProtocolError(this.socket, error)
  }

  private attach(socket: Net.Socket): void {
    this.socket = socket
    this.decoder.reset()
    socket.resume()
    socket.on("error", (cause) => {
      this.lastError = new ConnectionError({
        message: `connection to ${this.address} failed: ${cause.message}`,
        address: this.address,
        cause
      })
    })
    socket.on("close", () => this.onClose(socket))
  }

  private onProtocolError(socket: Net.Socket, error: ProtocolError): void {
    this.lastError = new ConnectionError({
      message: `protocol error from ${this.address}: ${error.message}`,
      address: this.address,
      cause: error
    })
    socket.destroy()
  }

  private runHandshake(socket: Net.Socket): Effect.Effect<void, ConnectionError | AuthError> {
    const tracking = this.options.tracking
    const exchange = (protocol: 2 | 3) =>
      Effect.flatMap(
        tracking === undefined ? Effect.succeed(undefined) : tracking.prepare(this, this.options, protocol),
        (track) => {
          const steps = Handshake.steps({ ...this.options, ...this.session }, protocol)
          if (track !== undefined) steps.push({ args: track, required: true, auth: false })
          return Effect.map(
            Effect.callback<ReadonlyArray<RespValue>>((resume) => {
              this.handshake = { expected: steps.length, replies: [], resume }
              for (const step of steps) this.writer.push(step.args)
              this.write(socket)
            }),
            (replies) => ({ steps, replies })
          )
        }
      )
    return exchange(this.options.protocol).pipe(
      Effect.flatMap((round) =>
        this.options.protocol === 3 && Handshake.helloUnsupported(round.replies[0]!)
          ? Effect.map(exchange(2), (r) => ({ ...r, protocol: 2 as const }))
          : Effect.succeed({ ...round, protocol: this.options.protocol })
      ),
      Effect.flatMap(({ steps, replies, protocol }) => {
        const error = Handshake.judge(steps, replies, this.address)
        if (error !== undefined) return Effect.fail(error)
        this.agreed = protocol
        this.hello = replies[0] instanceof Map ? (replies[0] as ReadonlyMap<string, RespValue>) : undefined
        return Effect.void
      }),
      // A socket that closes mid-handshake ends it with the loss as the error.
      Effect.raceFirst(this.closed(socket))
    )
  }

  private closed(socket: Net.Socket): Effect.Effect<never, ConnectionError> {
    return Effect.callback<never, ConnectionError>((resume) => {
      const onClose = () =>
        resume(
          Effect.fail(
            this.lastError ??
              new ConnectionError({ message: `connection to ${this.address} closed`, address: this.address })
          )
        )
      if (socket.destroyed) return onClose()
      socket.once("close", onClose)
      return Effect.sync(() => socket.off("close", onClose))
    })
  }

  private onClose(socket: Net.Socket): void {
    if (socket !== this.socket) return
    this.socket = undefined
    // A server that turns the connection away (maxclients) writes why and closes: that reason
    // is the error, not the close (nor the reset our handshake write may have met).
    const refusal = this.handshake?.replies.find((reply) => reply instanceof RespError)
    this.handshake = undefined
    const error =
      refusal !== undefined
        ? new ConnectionError({
            message: `${this.address} refused the connection: ${refusal.message}`,
            address: this.address
          })
        : (this.lastError ??
          new ConnectionError({ message: `connection to ${this.address} closed`, address: this.address }))
    this.lastError = error
    if (this.state === "ready") this.options.onLoss?.(this.address)
    // Written requests may have run: they fail, and are never re-sent.
    const queue = this.queue
    while (queue.head < queue.sent) {
      const i = queue.shift()
      const resume = queue.resumes[i]
      queue.clear(i)
      resume?.(fail(error))
    }
    this.subscriber?.onDisconnect()
    this.options.tracking?.onLost(this.address)
    // While connecting, the attempt in progress sees the loss and fails (and is retried).
    if (this.state === "ready") {
      this.state = "reconnecting"
      this.reconnect()
    }
  }

  /** Starts the background reconnect loop unless one runs (or the connection is closed). */
  private reconnect(): void {
    if (this.state === "closed" || this.reconnectFiber !== undefined) return
    this.state = "reconnecting"
    const loop = this.connectOnce.pipe(
      Effect.retry({
        schedule: this.options.reconnect,
        // An AuthError, or a handshake step the server refused (a SELECT it does not allow),
        // fails the waiting requests at once with the server's reason but keeps retrying: the
        // password may be rotated (updatePassword), the server reconfigured, while we wait.
        while: (error) => {
          if (error._tag === "AuthError" || Handshake.refused(error)) this.failUnsent(error)
          return this.state !== "closed"
        }
      }),
      Effect.catch((error) =>
        Effect.sync(() => {
          if (this.state === "closed") return
          this.state = "disconnected"
          this.failUnsent(error)
        })
      ),
      Effect.ensuring(
        Effect.sync(() => {
          this.reconnectFiber = undefined
        })
      )
    )
    this.reconnectFiber = this.runFork(loop)
  }

  private failUnsent(error: CommandError | AuthError): void {
    const queue = this.queue
    for (let seq = queue.sent; seq < queue.tail; seq++) {
      const i = queue.slot(seq)
      const resume = queue.resumes[i]
      queue.resumes[i] = undefined
      resume?.(Exit.fail(error) as Effect.Effect<unknown, unknown>)
    }
    queue.compactUnsent()
  }

  readonly destroySocket = (): void => {
    const socket = this.socket
    if (socket === undefined) return
    // Handled now, not on the close event: a caller about to close the connection (a node
    // that left the cluster) must not turn these failures into ClosedError.
    socket.destroy()
    this.onClose(socket)
  }

  readonly takeUnsent = (): Array<readonly [Command<unknown>, Resume, number]> => {
    const queue = this.queue
    const out: Array<readonly [Command<unknown>, Resume, number]> = []
    for (let seq = queue.sent; seq < queue.tail; seq++) {
      const i = queue.slot(seq)
      const resume = queue.resumes[i]
      if (resume !== undefined) out.push([queue.commands[i]!, resume, queue.deadlines[i]!])
      queue.resumes[i] = undefined
    }
    queue.compactUnsent()
    return out
  }

  readonly stalledMillis = (): number => {
    const queue = this.queue
    const timeout = this.options.requestTimeoutMillis
    if (queue.head === queue.sent || timeout <= 0) return 0
    const i = queue.slot(queue.head)
    // A blocking command waits by design; its deadline is not `timeout` after it was written.
    if (queue.commands[i]?.blockMillis !== undefined) return 0
    return Math.max(0, Date.now() - (queue.deadlines[i]! - timeout))
  }

  private hello: ReadonlyMap<string, RespValue> | undefined = undefined
  readonly serverInfo = () => this.hello

  readonly moveTo = (host: string, port: number): void => {
    if (this.state === "closed" || (host === this.options.host && port === this.options.port)) return
    const previous = this.address
    this.options = { ...this.options, host, port }
    this.address = Socket.address(this.options)
    const socket = this.socket
    if (socket !== undefined) {
      // Handled now rather than on the socket's close event, so a command issued meanwhile
      // waits for the new node instead of being written to the dropped socket: what was
      // written fails, a ready connection reconnects (to the new address), and a socket
      // still in its handshake with the old node is dropped with its attempt.
      this.lastError = new ConnectionError({
        message: `${previous} is no longer the node to use (moved to ${this.address}); a request written there may have run`,
        address: previous
      })
      socket.destroy()
      this.onClose(socket)
    }
    const attempt = this.reconnectFiber
    if (attempt === undefined) return
    // An attempt on the old address, or a backoff sleep: start over on the new one now.
    this.runFork(
      Effect.andThen(
        Fiber.interrupt(attempt),
        Effect.sync(() => {
          if (this.state !== "ready" && this.state !== "closed") this.reconnect()
        })
      )
    )
  }

  readonly close: Effect.Effect<void> = Effect.suspend(() => {
    if (this.state === "closed") return Effect.void
    this.state = "closed"
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    this.timerAt = Infinity
    const error = new ClosedError({ message: `connection to ${this.address} was closed by the client` })
    const queue = this.queue
    while (queue.head < queue.tail) {
      const i = queue.shift()
      const resume = queue.resumes[i]
      queue.clear(i)
      resume?.(fail(error))
    }
    queue.sent = queue.head
    const socket = this.socket
    this.socket = undefined
    socket?.destroy()
    const fiber = this.reconnectFiber
    return fiber === undefined ? Effect.void : Fiber.interrupt(fiber)
  })
}

/**
 * Opens a connection (unless `lazy`) and closes it with the scope. With `lazy`, the first
 * command connects.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: ConnectionOptions,
  settings?: { readonly lazy?: boolean }
): Effect.Effect<Connection, ConnectionError | AuthError, Scope.Scope> =>
  Effect.gen(function* () {
    const context = yield* Effect.context<never>()
    const scope = yield* Scope.Scope
    const runFork = <A, E>(effect: Effect.Effect<A, E>) => Effect.runForkWith(context)(effect)
    const connection = new ConnectionImpl(options, runFork, settings?.lazy === true ? "disconnected" : "connecting")
    yield* Scope.addFinalizer(scope, connection.close)
    if (settings?.lazy !== true) yield* connection.connectOnce
    return connection as Connection
  })
