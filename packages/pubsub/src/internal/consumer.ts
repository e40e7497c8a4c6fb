/**
 * One consumer of messages: a bounded queue with a strategy for when it is full. The
 * dispatcher offers it the messages of one socket read together, synchronously; under
 * `"suspend"`, messages that do not fit wait in `overflow`, reading stops on the connection
 * they came from, and a fiber feeds the queue as the consumer takes, then lets reading go on.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
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

export type RunFork = <A, E>(effect: Effect.Effect<A, E>) => Fiber.Fiber<A, E>

export class Consumer<P extends string | Uint8Array> implements Receiver {
  readonly queue: Queue.Queue<Message<P>, SubscribeError | Cause.Done>
  readonly bytes: boolean
  dropped = 0
  private readonly strategy: Strategy
  private readonly capacity: number
  private readonly runFork: RunFork
  private readonly onDrop: () => void
  private overflow: Array<Message<P>> = []
  private readonly paused = new Set<Pausable>()
  private draining = false
  private drainer: Fiber.Fiber<void> | undefined = undefined

  constructor(
    queue: Queue.Queue<Message<P>, SubscribeError | Cause.Done>,
    options: { readonly bytes: boolean; readonly strategy: Strategy; readonly capacity: number },
    runFork: RunFork,
    onDrop: () => void
  ) {
    this.queue = queue
    this.bytes = options.bytes
    this.strategy = options.strategy
    this.capacity = options.capacity
    this.runFork = runFork
    this.onDrop = onDrop
  }

  readonly deliver = (all: ReadonlyArray<Message<string | Uint8Array>>, source: Pausable): void => {
    const messages = all as ReadonlyArray<Message<P>>
    switch (this.strategy) {
      case "dropping": {
        const rest = Queue.offerAllUnsafe(this.queue, messages)
        for (let i = 0; i < rest.length; i++) this.drop()
        return
      }
      case "sliding": {
        // The oldest go first, the new ones among them when there are more than fit.
        const excess = Queue.sizeUnsafe(this.queue) + messages.length - this.capacity
        for (let i = 0; i < excess; i++) this.drop()
        Queue.offerAllUnsafe(this.queue, messages)
        return
      }
      case "suspend": {
        // While the overflow drains, later messages queue behind it to keep their order.
        const rest = this.draining ? messages : Queue.offerAllUnsafe(this.queue, messages)
        if (rest.length === 0) return
        for (let i = 0; i < rest.length; i++) this.overflow.push(rest[i]!)
        if (!this.paused.has(source)) {
          this.paused.add(source)
          source.pause()
        }
        if (!this.draining) {
          this.draining = true
          // The fiber may finish before runFork returns: keep it only if it still runs.
          const fiber = this.runFork(this.drain)
          if (this.draining) this.drainer = fiber
        }
      }
    }
  }

  readonly deliverOne = (message: Message<string | Uint8Array>, source: Pausable): void => {
    // A sliding queue takes every offer (it slides) and the slide must be counted: `deliver`.
    if (this.strategy !== "sliding" && !this.draining && Queue.offerUnsafe(this.queue, message as Message<P>)) return
    this.deliver([message], source)
  }

  private drop(): void {
    this.dropped++
    this.onDrop()
  }

  /** Feeds the overflow into the queue as room appears, then lets the connections read. */
  private readonly drain: Effect.Effect<void> = Effect.suspend(() => {
    const batch = this.overflow
    if (batch.length === 0) {
      this.draining = false
      this.drainer = undefined
      this.resumeAll()
      return Effect.void
    }
    this.overflow = []
    return Effect.flatMap(Queue.offerAll(this.queue, batch), () => this.drain)
  })

  /** Ends the stream of messages and lets any connection it paused read again. */
  close(): void {
    this.stop()
    Queue.endUnsafe(this.queue)
  }

  readonly fail = (error: SubscribeError): void => {
    this.stop()
    Queue.failCauseUnsafe(this.queue, Cause.fail(error))
  }

  private stop(): void {
    this.overflow = []
    this.drainer?.interruptUnsafe()
    this.drainer = undefined
    this.draining = false
    this.resumeAll()
  }

  private resumeAll(): void {
    for (const source of this.paused) source.resume()
    this.paused.clear()
  }
}
