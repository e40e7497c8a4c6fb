/**
 * One write pass over several connections at the end of an event-loop turn, for a client with
 * a connection per node (a cluster).
 *
 * A connection alone flushes at the end of the tick (`process.nextTick`), but Node reads each
 * socket in a tick of its own: the callers that one node's replies resume spread their next
 * commands over every node, so each read led to a small write on every socket. The
 * connections of a group wait instead for `setImmediate`, which runs once the turn has read
 * every socket that had data: each socket then gets one write for all of them.
 *
 * @since 0.2.0
 */

/**
 * Connections flushed together once per event-loop turn (see the module documentation).
 *
 * @since 0.2.0
 * @category models
 */
export class FlushGroup {
  private pending: Array<() => void> = []
  private scheduled = false

  /** Runs `flush` in the next end-of-turn pass (once per call). */
  schedule(flush: () => void): void {
    this.pending.push(flush)
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(this.run)
    }
  }

  private readonly run = (): void => {
    this.scheduled = false
    const pending = this.pending
    this.pending = []
    for (let i = 0; i < pending.length; i++) pending[i]!()
  }
}
