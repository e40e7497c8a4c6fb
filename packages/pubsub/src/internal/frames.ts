/**
 * Reading what a subscriber connection hears. RESP3 push frames and RESP2 subscribed-mode
 * replies have the same shape (`[kind, name, …]`), with strings as bytes; a refused command
 * is an error reply.
 */
import { RespError, type RespValue } from "@effect-valkey/core"
import { type Message, messageKind, type SubscriptionKind } from "../Message.ts"

/**
 * A message as it came off the wire. `name` is what was subscribed to (the pattern for a
 * pattern message). The `Message` each form of consumer gets is built once and shared. The
 * payload is text when no consumer asked for bytes (the decoder then never copied it out as
 * bytes); a bytes consumer that gets such a message (its frame was being read when the first
 * bytes consumer subscribed) gets its UTF-8 encoding.
 */
export class RawMessage {
  /** Its own frame (no wrapper object per message). */
  readonly type = "message"
  readonly kind: SubscriptionKind
  readonly name: string
  readonly channel: string
  readonly pattern: string | undefined
  readonly payload: Uint8Array | string
  #text: Message<string> | undefined = undefined
  #bytes: Message<Uint8Array> | undefined = undefined
  constructor(
    kind: SubscriptionKind,
    name: string,
    channel: string,
    pattern: string | undefined,
    payload: Uint8Array | string
  ) {
    this.kind = kind
    this.name = name
    this.channel = channel
    this.pattern = pattern
    this.payload = payload
  }
  asText(): Message<string> {
    const payload = this.payload
    this.#text ??= this.build(typeof payload === "string" ? payload : utf8.decode(payload))
    return this.#text
  }
  asBytes(): Message<Uint8Array> {
    const payload = this.payload
    this.#bytes ??= this.build(typeof payload === "string" ? utf8Encoder.encode(payload) : payload)
    return this.#bytes
  }
  private build<P extends string | Uint8Array>(payload: P): Message<P> {
    const kind = messageKind[this.kind]
    return this.pattern === undefined
      ? { kind, channel: this.channel, payload }
      : { kind, channel: this.channel, pattern: this.pattern, payload }
  }
}

/** The server confirmed a (P|S)SUBSCRIBE or (P|S)UNSUBSCRIBE of one name. */
export interface Confirmation {
  readonly kind: SubscriptionKind
  readonly name: string
}

export type Frame =
  | RawMessage
  | ({ readonly type: "subscribed" } & Confirmation)
  | ({ readonly type: "unsubscribed" } & Confirmation)
  | { readonly type: "error"; readonly message: string }

// ignoreBOM keeps a leading BOM, as the decoder's own text does: the payload as published.
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true })
const utf8Encoder = new TextEncoder()

/** Bytes or a string as a string (the decoder hands strings over as bytes here). */
const text = (value: RespValue): string =>
  value instanceof Uint8Array ? utf8.decode(value) : typeof value === "string" ? value : String(value)

/** A payload as the decoder gave it: bytes, or text when no consumer wants bytes. */
const payloadOf = (value: RespValue): Uint8Array | string =>
  value instanceof Uint8Array || typeof value === "string" ? value : text(value)

const KINDS: Record<string, readonly ["message" | "subscribed" | "unsubscribed", SubscriptionKind]> = {
  message: ["message", "channel"],
  pmessage: ["message", "pattern"],
  smessage: ["message", "sharded"],
  subscribe: ["subscribed", "channel"],
  psubscribe: ["subscribed", "pattern"],
  ssubscribe: ["subscribed", "sharded"],
  unsubscribe: ["unsubscribed", "channel"],
  punsubscribe: ["unsubscribed", "pattern"],
  sunsubscribe: ["unsubscribed", "sharded"]
}

/** The frame's kind word, read as Latin-1 (it is ASCII): cheaper than a UTF-8 decode. */
const word = (value: RespValue): string => {
  if (!(value instanceof Uint8Array)) {
    if (typeof value !== "string") return ""
    // A fresh string from the decoder: the constant instead, whose hash is computed already.
    return value === "message"
      ? "message"
      : value === "pmessage"
        ? "pmessage"
        : value === "smessage"
          ? "smessage"
          : value
  }
  // The words of every message, without building a string (m = 109, p = 112, s = 115).
  const n = value.length
  if (n === 7 && value[0] === 109 && value[6] === 101) return "message"
  if (n === 8 && value[1] === 109 && value[7] === 101) {
    if (value[0] === 112) return "pmessage"
    if (value[0] === 115) return "smessage"
  }
  if (n > 12) return ""
  let out = ""
  for (let i = 0; i < n; i++) out += String.fromCharCode(value[i]!)
  return out
}

/**
 * Channel and pattern names as text, remembering the last one: a stream of messages mostly
 * repeats a name, so it is compared rather than decoded again.
 */
let lastName: Uint8Array | undefined
let lastText = ""
const name = (value: RespValue): string => {
  if (!(value instanceof Uint8Array)) {
    if (typeof value !== "string") return text(value)
    // Compared (no hashing), so the registry's lookup gets the string it hashed last time.
    if (value !== lastText) {
      lastText = value
      lastName = undefined
    }
    return lastText
  }
  const last = lastName
  if (last !== undefined && last.length === value.length) {
    let same = true
    for (let i = 0; i < value.length; i++) {
      if (last[i] !== value[i]) {
        same = false
        break
      }
    }
    if (same) return lastText
  }
  lastText = utf8.decode(value)
  lastName = value
  return lastText
}

/** What a frame means, or undefined for frames pub/sub does not care about (PONG, …). */
export const parse = (frame: RespValue): Frame | undefined => {
  if (frame instanceof RespError) return { type: "error", message: frame.message }
  if (!Array.isArray(frame) || frame.length < 2) return undefined
  const entry = KINDS[word(frame[0])]
  if (entry === undefined) return undefined
  const [type, kind] = entry
  if (type !== "message") {
    const name = frame[1]
    return name === null ? undefined : { type, kind, name: text(name) }
  }
  if (kind === "pattern") {
    if (frame.length < 4) return undefined
    const pattern = name(frame[1])
    return new RawMessage(kind, pattern, text(frame[2]), pattern, payloadOf(frame[3]))
  }
  if (frame.length < 3) return undefined
  const channel = name(frame[1])
  return new RawMessage(kind, channel, channel, undefined, payloadOf(frame[2]))
}

/** The command that subscribes (or unsubscribes) one name of a kind. */
export const command = (kind: SubscriptionKind, subscribe: boolean, name: string): ReadonlyArray<string> => [
  `${kind === "pattern" ? "P" : kind === "sharded" ? "S" : ""}${subscribe ? "SUBSCRIBE" : "UNSUBSCRIBE"}`,
  name
]
