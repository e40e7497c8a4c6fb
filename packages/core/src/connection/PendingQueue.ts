/**
 * The FIFO of requests waiting for their replies on one connection, as a ring buffer of
 * parallel arrays (no object allocated per request).
 *
 * Sequence numbers only grow; `seq & mask` is the slot. Three cursors split the live region:
 * `head` (oldest awaiting a reply) ≤ `sent` (first not yet written to the socket) ≤ `tail`.
 * Replies come back in order, so the reply reader always takes `head`.
 *
 * @since 0.1.0
 * @internal
 */
import type * as Effect from "effect/Effect"
import type { Command } from "../Command.ts"

/** The fiber continuation of a caller; `undefined` once it was resumed (reply, timeout). */
export type Resume = (effect: Effect.Effect<unknown, unknown>) => void

export class PendingQueue {
  readonly capacity: number
  private readonly mask: number
  readonly resumes: Array<Resume | undefined>
  readonly commands: Array<Command<unknown> | undefined>
  readonly deadlines: Float64Array
  /**
   * Per request: 0 never retried (part of a batch: its commands stay together and in order);
   * n > 0 a lone command that may be re-sent after a `-LOADING` reply, n - 1 times so far.
   */
  readonly retries: Uint8Array
  head = 0
  sent = 0
  tail = 0

  constructor(limit: number) {
    let capacity = 16
    while (capacity < limit) capacity *= 2
    this.capacity = capacity
    this.mask = capacity - 1
    this.resumes = new Array(capacity).fill(undefined)
    this.commands = new Array(capacity).fill(undefined)
    this.deadlines = new Float64Array(capacity)
    this.retries = new Uint8Array(capacity)
  }

  get size(): number {
    return this.tail - this.head
  }

  slot(seq: number): number {
    return seq & this.mask
  }

  push(resume: Resume, command: Command<unknown>, deadline: number, retries: number): void {
    const i = this.tail & this.mask
    this.resumes[i] = resume
    this.commands[i] = command
    this.deadlines[i] = deadline
    this.retries[i] = retries
    this.tail++
  }

  /** Takes the oldest request; the caller knows it is there (a reply arrived for it). */
  shift(): number {
    const i = this.head & this.mask
    this.head++
    return i
  }

  clear(i: number): void {
    this.resumes[i] = undefined
    this.commands[i] = undefined
  }

  /**
   * Drops the not-yet-sent requests whose callers were already resumed (timed out while the
   * connection was down), so they are never written: nothing would read their replies.
   */
  compactUnsent(): void {
    let write = this.sent
    for (let read = this.sent; read < this.tail; read++) {
      const from = read & this.mask
      if (this.resumes[from] === undefined) continue
      if (write !== read) {
        const to = write & this.mask
        this.resumes[to] = this.resumes[from]
        this.commands[to] = this.commands[from]
        this.deadlines[to] = this.deadlines[from]!
        this.retries[to] = this.retries[from]!
        this.clear(from)
      }
      write++
    }
    for (let seq = write; seq < this.tail; seq++) this.clear(seq & this.mask)
    this.tail = write
  }
}
