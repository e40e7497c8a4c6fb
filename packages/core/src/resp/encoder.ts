/**
 * Command encoding: each command is a RESP array of bulk strings.
 *
 * The connection coalesces the commands it has queued into a single socket write, so the main
 * API is a writer that accumulates commands, encoded to bytes as they come, and hands them back
 * as one Buffer.
 *
 * @since 0.1.0
 */
import type { RespArg } from "./types.ts"

const ARRAY = 0x2a // *
const BULK = 0x24 // $
const CR = 0x0d
const LF = 0x0a
/** Strings up to this many UTF-16 units are copied in JavaScript (see `CommandWriter.string`). */
const ASCII_LOOP_MAX = 64
/** A writer's first slab; later ones are at least as big as the one they replace. */
const SLAB_MIN = 16 * 1024
/** A slab grown past this (by large values) is dropped after a batch that used little of it. */
const SLAB_MAX = 1024 * 1024
const EMPTY = Buffer.alloc(0)

type Utf8Writable = Buffer & { utf8Write(text: string, offset: number): number }

/** Decimal digits of a non-negative integer below 2^53. */
const digits = (n: number): number =>
  n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10_000 ? 4 : n < 100_000 ? 5 : String(n).length

/** Writes the decimal digits of a non-negative integer below 2^53 at `at`; returns where they end. */
const writeDigits = (slab: Buffer, n: number, at: number): number => {
  if (n < 10) {
    slab[at] = 48 + n
    return at + 1
  }
  const end = at + digits(n)
  let p = end
  while (n >= 10) {
    const q = Math.floor(n / 10)
    slab[--p] = 48 + (n - q * 10)
    n = q
  }
  slab[--p] = 48 + n
  return end
}

/**
 * A number as a command argument: integers in plain decimal (never exponent form),
 * infinities in Valkey's `+inf` / `-inf` spelling, other numbers in their shortest
 * round-trip form.
 *
 * @since 0.1.0
 * @category encoding
 */
export const numberArgument = (n: number): string => {
  if (Number.isSafeInteger(n)) return `${n}`
  if (n === Number.POSITIVE_INFINITY) return "+inf"
  if (n === Number.NEGATIVE_INFINITY) return "-inf"
  // String(1e21) is "1e+21"; integers must stay plain decimal, exactly the double's value.
  if (Number.isInteger(n)) return BigInt(n).toString()
  return String(n)
}

/**
 * Accumulates commands as bytes and hands them back as one chunk for one `socket.write`.
 *
 * Commands are encoded straight into a slab (a Buffer owned by the writer), so no string is
 * built per argument and the socket gets bytes it needs not convert: building a text chunk
 * and letting `socket.write(string)` encode it cost a rope flatten plus a UTF-8 pass per flush
 * (5–15% of the client's CPU under load). `take` hands out a view of the bytes written since
 * the last `take`; the writer appends after them, and moves to a new slab when the current one
 * is full, so bytes handed to a socket are not overwritten until its owner says with `rewind`
 * that every chunk taken so far was released.
 *
 * @example
 * import { CommandWriter } from "@effect-valkey/core"
 * import * as Net from "node:net"
 *
 * const socket = Net.connect(6379, "127.0.0.1")
 * const writer = new CommandWriter()
 * writer.push(["SET", "key", "value"])
 * writer.push(["GET", "key"])
 * socket.write(writer.take())
 *
 * @since 0.1.0
 * @category encoding
 */
export class CommandWriter {
  private slab: Buffer = EMPTY
  /** First byte not yet taken. */
  private start = 0
  /** Next byte to write. */
  private offset = 0
  private commands = 0

  /**
   * Appends one command.
   *
   * @since 0.1.0
   */
  push(args: ReadonlyArray<RespArg>): void {
    const count = args.length
    this.ensure(16)
    let at = this.header(ARRAY, count, this.offset)
    for (let i = 0; i < count; i++) {
      const arg = args[i]!
      this.offset = at
      if (typeof arg === "string") at = this.string(arg)
      else if (typeof arg === "number")
        at = Number.isSafeInteger(arg) ? this.integer(arg) : this.string(numberArgument(arg))
      else at = this.bytes(arg)
    }
    this.offset = at
    this.commands++
  }

  /**
   * Commands pushed since the last `take`.
   *
   * @since 0.1.0
   */
  get pending(): number {
    return this.commands
  }

  /**
   * Encoded size, in bytes, of the commands pushed since the last `take`.
   *
   * @since 0.1.0
   */
  get pendingBytes(): number {
    return this.offset - this.start
  }

  /**
   * Everything pushed since the last `take`, as one Buffer (empty when nothing was pushed).
   *
   * @since 0.1.0
   */
  take(): Buffer {
    const out = this.slab.subarray(this.start, this.offset)
    this.commands = 0
    if (this.slab.length > SLAB_MAX && out.length < this.slab.length / 8) {
      // Batches of large values grew the slab past SLAB_MAX: it is kept while batches still
      // fill a good part of it (dropping it made every such batch regrow it from SLAB_MIN,
      // copying as it grew), and dropped after a small one, so a burst does not pin it.
      this.slab = EMPTY
      this.start = this.offset = 0
    } else {
      this.start = this.offset
    }
    return out
  }

  /**
   * Declares every chunk handed out so far written and released (a socket that took a write
   * whole holds no reference to it), so the slab is filled again from its start instead of
   * being replaced when full: with large values, replaced slabs piled up as garbage between
   * collections (tens of MiB of RSS). Only call it when no earlier chunk can still be read.
   *
   * @since 0.1.0
   */
  rewind(): void {
    if (this.start === this.offset) this.start = this.offset = 0
  }

  /** Makes room for `bytes` more bytes after `offset`, keeping the untaken ones. */
  private ensure(bytes: number): void {
    if (this.offset + bytes <= this.slab.length) return
    const kept = this.offset - this.start
    let size = Math.min(Math.max(this.slab.length, SLAB_MIN), SLAB_MAX)
    while (size < (kept + bytes) * 2) size *= 2
    const next = Buffer.allocUnsafe(size)
    this.slab.copy(next, 0, this.start, this.offset)
    this.slab = next
    this.start = 0
    this.offset = kept
  }

  /** Writes `<type><n>\r\n` at `at` (room for it ensured); returns where it ends. */
  private header(type: number, n: number, at: number): number {
    const slab = this.slab
    slab[at++] = type
    at = writeDigits(slab, n, at)
    slab[at++] = CR
    slab[at++] = LF
    return at
  }

  /** Writes a number as a bulk string of its decimal digits; returns the offset after it. */
  private integer(n: number): number {
    if (n < 0) return this.string(`${n}`)
    const length = digits(n)
    this.ensure(length + 16)
    const slab = this.slab
    let at = this.header(BULK, length, this.offset)
    at = writeDigits(slab, n, at)
    slab[at++] = CR
    slab[at++] = LF
    return at
  }

  /** Writes a string as a UTF-8 bulk string; returns the offset after it. */
  private string(s: string): number {
    const n = s.length
    // Room for the worst case (3 bytes per UTF-16 unit) and the header.
    this.ensure(3 * n + 32)
    const slab = this.slab
    const start = this.offset
    // The header assumes one byte per unit (ASCII); the bytes go right after it.
    let at = this.header(BULK, n, start)
    if (n <= ASCII_LOOP_MAX) {
      // Short strings are copied in JavaScript, checking for ASCII on the way: cheaper than a
      // native call per argument. The first non-ASCII unit hands over to the general path.
      let i = 0
      for (; i < n; i++) {
        const c = s.charCodeAt(i)
        if (c > 127) break
        slab[at + i] = c
      }
      if (i === n) {
        at += n
        slab[at++] = CR
        slab[at++] = LF
        return at
      }
    }
    const written = (slab as Utf8Writable).utf8Write(s, at)
    if (written !== n) {
      // Multi-byte text: the length has more digits, or the same number; move the bytes
      // over if the header grew, then write the real length.
      const shift = digits(written) - digits(n)
      if (shift > 0) slab.copyWithin(at + shift, at, at + written)
      at = this.header(BULK, written, start)
    }
    at += written
    slab[at++] = CR
    slab[at++] = LF
    return at
  }

  /** Writes bytes as a bulk string; returns the offset after it. */
  private bytes(b: Uint8Array): number {
    const n = b.length
    this.ensure(n + 32)
    const slab = this.slab
    let at = this.header(BULK, n, this.offset)
    slab.set(b, at)
    at += n
    slab[at++] = CR
    slab[at++] = LF
    return at
  }
}

/**
 * Encodes one command as bytes (for tests and one-off writes; the connection uses `CommandWriter`).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeCommand = (args: ReadonlyArray<RespArg>): Buffer => {
  const writer = new CommandWriter()
  writer.push(args)
  // A copy of exactly its bytes, not a view that keeps the writer's whole slab alive.
  return Buffer.from(writer.take())
}
