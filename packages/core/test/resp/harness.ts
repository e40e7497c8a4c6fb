/**
 * Test support: a decoder wired to arrays that record what it delivers.
 *
 * @since 0.1.0
 */
import type { ProtocolError } from "../../src/errors.ts"
import { type DecoderOptions, RespDecoder } from "../../src/resp/decoder.ts"
import type { RespPush, RespValue } from "../../src/resp/types.ts"

/**
 * What a decoder delivered, in order.
 *
 * @since 0.1.0
 * @category models
 */
export type Event =
  | { readonly kind: "reply"; readonly value: RespValue }
  | { readonly kind: "push"; readonly value: RespPush }

/**
 * A decoder plus the record of its deliveries. `bytes` answers `bytesForNextReply` in turn
 * (false once exhausted); `asked` counts the questions.
 *
 * @since 0.1.0
 * @category constructors
 */
export const harness = (options: DecoderOptions = {}, bytes: ReadonlyArray<boolean> = []) => {
  const events: Array<Event> = []
  const state = { asked: 0 }
  const decoder = new RespDecoder(
    {
      onReply: (value) => events.push({ kind: "reply", value }),
      onPush: (value) => events.push({ kind: "push", value }),
      bytesForNextReply: () => bytes[state.asked++] ?? false
    },
    options
  )
  const feedAll = (chunks: ReadonlyArray<Uint8Array>): ProtocolError | undefined => {
    for (const chunk of chunks) {
      const error = decoder.feed(chunk)
      if (error !== undefined) return error
    }
    return undefined
  }
  // As a socket reading into one buffer does: each chunk is written over the last one, and the
  // buffer is scribbled on once the decoder returns, so anything it kept as a view would change.
  const feedReused = (chunks: ReadonlyArray<Uint8Array>): ProtocolError | undefined => {
    const shared = Buffer.alloc(Math.max(1, ...chunks.map((chunk) => chunk.length)))
    for (const chunk of chunks) {
      shared.set(chunk)
      const error = decoder.feed(shared.subarray(0, chunk.length))
      shared.fill(0x2a)
      if (error !== undefined) return error
    }
    return undefined
  }
  return {
    decoder,
    events,
    state,
    feedAll,
    feedReused,
    replies: () => events.filter((e) => e.kind === "reply").map((e) => e.value)
  }
}

/**
 * Decodes a whole string (or buffer) in one chunk and returns the replies.
 *
 * @since 0.1.0
 * @category constructors
 */
export const decodeAll = (input: string | Uint8Array, options: DecoderOptions = {}) => {
  const h = harness(options)
  const error = h.decoder.feed(typeof input === "string" ? Buffer.from(input, "utf8") : input)
  return { error, replies: h.replies(), events: h.events }
}
