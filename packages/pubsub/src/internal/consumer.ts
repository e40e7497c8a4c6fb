/**
 * One consumer of messages: a bounded buffer with a strategy for when it is full. The buffer
 * holds the batches the dispatcher hands over, not single messages: the messages of one
 * socket read arrive as one array shared by every consumer of the channel, and the consumer's
 * stream emits that same array, so fanning a read out to N consumers costs N hand-offs, not
 * N × messages. Under `"suspend"`, messages that do not fit wait in `overflow`, reading stops
 * on the connection they came from, and each take moves them in as room appears, then lets
 * reading go on.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scheduler from "effect/Scheduler"
import type { Strategy } from "../Backpressure.ts"
import type { SubscribeError } from "../errors.ts"
import type { Message } from "../Message.ts"

/** What a consumer can stop and restart: the reading of one subscriber connection. */
export interface Pausable {
  readonly pause: () => void
  readonly resume: () => void
}

/** What the dispatcher hands messages to. */
export interface Receiver {
  /** Wants payloads as bytes (else as text). */
  readonly bytes: boolean
  /** Messages in the order they came, in the form `bytes` asks for; shared, not to be changed. */
  readonly deliver: (messages: ReadonlyArray<Message<string | Uint8Array>>, source: Pausable) => void
  /** One message: the same as `deliver([message], source)`, without the array. */
  readonly deliverOne: (message: Message<string | Uint8Array>, source: Pausable) => void
  /** The service closed under the consumer: its stream fails with `error`. */
  readonly fail: (error: SubscribeError) => void
}

type Batch<P extends string | Uint8Array> = ReadonlyArray<Message<P>>

export class Consumer<P extends string | Uint8Array> implements Receiver {
  readonly bytes: boolean
  dropped = 0
  private readonly strategy: Strategy
  private readonly capacity: number
  private readonly onDrop: () => void
  /** Waiting batches, oldest first; the first one's messages before `head` are taken. */
  private batches: Array<Batch<P>> = []
  private head = 0
  /** Messages waiting in `batches`. */
  private size = 0
  /** The last batch, when it is this consumer's own array that `deliverOne` appends to. */
  private open: Array<Message<P>> | undefined = undefined
  /** Batches waiting for room (`"suspend"`), oldest first. */
  private overflow: Array<Batch<P>> = []
  private readonly paused = new Set<Pausable>()
  /** Fibers waiting for a message or the end: each is woken once and looks again. */
  private waiters: Array<(effect: Effect.Effect<void>) => void> = []
  /** Where wake-ups run: the dispatcher of the fiber that made the consumer. */
  private readonly dispatcher: Scheduler.SchedulerDispatcher
  private waking = false
  /** What a pull gets once the buffer is empty: set by `close` (Done) or `fail`. */
  private end: Effect.Effect<never, SubscribeError | Cause.Done> | undefined = undefined

  constructor(
    options: { readonly bytes: boolean; readonly strategy: Strategy; readonly capacity: number },
    onDrop: () => void,
    dispatcher: Scheduler.SchedulerDispatcher
  ) {
    this.bytes = options.bytes
    this.strategy = options.strategy
    this.capacity = options.capacity
    this.onDrop = onDrop
    this.dispatcher = dispatcher
    this.await = Effect.callback<void>((resume) => {
      this.waiters.push(resume)
      return Effect.sync(() => this.disarm(resume))
    })
  }

  readonly deliver = (all: ReadonlyArray<Message<string | Uint8Array>>, source: Pausable): void => {
    const messages = all as Batch<P>
    if (this.end !== undefined || messages.length === 0) return
    const room = this.capacity - this.size
    switch (this.strategy) {
      case "dropping": {
        // The newest go: what fits is kept, in order.
        if (room <= 0) {
          this.drop(messages.length)
          return
        }
        this.push(messages.length <= room ? messages : messages.slice(0, room))
        if (messages.length > room) this.drop(messages.length - room)
        break
      }
      case "sliding": {
        // The oldest go first, the new ones among them when there are more than fit.
        this.push(messages)
        if (this.size > this.capacity) this.dropOldest(this.size - this.capacity)
        break
      }
      case "suspend": {
        // A batch that does not fit whole waits whole (no copy), and while any waits, later
        // ones queue behind it to keep their order.
        if (this.overflow.length === 0 && messages.length <= room) {
          this.push(messages)
          break
        }
        this.overflow.push(messages)
        this.refill()
        if (this.overflow.length > 0 && !this.paused.has(source)) {
          this.paused.add(source)
          source.pause()
        }
      }
    }
    this.wake()
  }

  readonly deliverOne = (message: Message<string | Uint8Array>, source: Pausable): void => {
    if (this.end !== undefined) return
    const sliding = this.strategy === "sliding"
    if (!sliding && (this.overflow.length > 0 || this.size >= this.capacity)) {
      this.deliver([message], source)
      return
    }
    if (this.open === undefined) {
      this.open = []
      this.batches.push(this.open)
    }
    this.open.push(message as Message<P>)
    // A sliding buffer takes every message and lets the oldest go.
    if (++this.size > this.capacity && sliding) this.dropOldest(1)
    if (!this.waking && this.waiters.length > 0) this.wake()
  }

  /**
   * The oldest waiting batch, as it came (the array the dispatcher shared, not a copy); waits
   * for a message, fails with Done once the consumer is closed and its buffer empty.
   */
  readonly pull: Effect.Effect<readonly [Message<P>, ...Array<Message<P>>], SubscribeError | Cause.Done> =
    this.whenReady(() => this.takeBatch())

  /** The next message, if there is one. */
  readonly poll: Effect.Effect<Option.Option<Message<P>>> = Effect.sync(() =>
    this.size > 0 ? Option.some(this.takeOne()) : Option.none()
  )

  /** The next message, waiting for one; fails with Done once closed and empty. */
  readonly take: Effect.Effect<Message<P>, SubscribeError | Cause.Done> = this.whenReady(() => this.takeOne())

  /** `take` once a message is buffered (waiting for one); the end once closed and empty. */
  private whenReady<A>(take: () => A): Effect.Effect<A, SubscribeError | Cause.Done> {
    const next: Effect.Effect<A, SubscribeError | Cause.Done> = Effect.suspend(() =>
      this.size > 0 ? Effect.succeed(take()) : (this.end ?? Effect.flatMap(this.await, () => next))
    )
    return next
  }

  /** Ends the stream of messages (after what is buffered) and lets any paused connection read. */
  close(): void {
    this.stop(Cause.done())
  }

  readonly fail = (error: SubscribeError): void => {
    this.stop(Effect.fail(error))
  }

  private readonly await: Effect.Effect<void>

  private disarm(resume: (effect: Effect.Effect<void>) => void): void {
    const i = this.waiters.indexOf(resume)
    if (i !== -1) this.waiters.splice(i, 1)
  }

  /**
   * Wakes the waiting fibers as a task of their scheduler, not here: resuming one runs it
   * synchronously, and it must not run inside the dispatcher's loop (a new consumer it adds
   * would be handed the message being dispatched). The read's later messages go with it.
   */
  private wake(): void {
    if (this.waking || this.waiters.length === 0) return
    this.waking = true
    this.dispatcher.scheduleTask(this.release, 0)
  }

  private readonly release = (): void => {
    this.waking = false
    const waiters = this.waiters
    this.waiters = []
    for (const resume of waiters) resume(Effect.void)
  }

  private push(batch: Batch<P>): void {
    this.batches.push(batch)
    this.open = undefined
    this.size += batch.length
  }

  private takeBatch(): readonly [Message<P>, ...Array<Message<P>>] {
    const first = this.batches[0]!
    const batch = this.head === 0 ? first : first.slice(this.head)
    this.size -= batch.length
    this.shift()
    this.refill()
    return batch as readonly [Message<P>, ...Array<Message<P>>]
  }

  private takeOne(): Message<P> {
    const first = this.batches[0]!
    const message = first[this.head++]!
    this.size--
    if (this.head === first.length) this.shift()
    this.refill()
    return message
  }

  private shift(): void {
    if (this.batches.shift() === this.open) this.open = undefined
    this.head = 0
  }

  private dropOldest(n: number): void {
    this.drop(n)
    this.size -= n
    while (n > 0) {
      const left = this.batches[0]!.length - this.head
      if (left > n) {
        this.head += n
        // A batch deliverOne still appends to: its dropped front must not pile up.
        if (this.head >= this.capacity && this.batches[0] === this.open) {
          this.open.splice(0, this.head)
          this.head = 0
        }
        return
      }
      n -= left
      this.shift()
    }
  }

  private drop(n: number): void {
    for (let i = 0; i < n; i++) {
      this.dropped++
      this.onDrop()
    }
  }

  /**
   * Moves waiting batches in as room appears: whole when they fit, and an empty buffer takes
   * the front of one larger than the capacity. Once all are in, the paused connections read
   * again.
   */
  private refill(): void {
    const overflow = this.overflow
    if (overflow.length === 0) return
    while (overflow.length > 0) {
      const room = this.capacity - this.size
      const next = overflow[0]!
      if (next.length <= room) {
        this.push(next)
        overflow.shift()
      } else if (this.size === 0) {
        this.push(next.slice(0, room))
        overflow[0] = next.slice(room)
      } else {
        return
      }
    }
    this.resumeAll()
  }

  private stop(end: Effect.Effect<never, SubscribeError | Cause.Done>): void {
    if (this.end !== undefined) return
    this.end = end
    this.overflow = []
    this.resumeAll()
    this.wake()
  }

  private resumeAll(): void {
    for (const source of this.paused) source.resume()
    this.paused.clear()
  }
}
