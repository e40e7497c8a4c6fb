/**
 * Command encoding: each command is a RESP array of bulk strings.
 *
 * The connection coalesces every command issued in one tick into a single socket write, so the
 * main API is a writer that accumulates commands and hands back one chunk. While all arguments
 * are strings and numbers the chunk is one JavaScript string (V8 concatenates lazily and
 * `socket.write(string)` encodes UTF-8 natively, with no intermediate Buffer); a binary
 * argument switches the rest of that batch to Buffer pieces joined once by `take`.
 *
 * @since 0.1.0
 */
import type { RespArg } from "./types.ts"

/**
 * UTF-8 byte length of `s`. Short strings are checked for ASCII in JavaScript, which is cheaper
 * than the native call that `Buffer.byteLength` makes; long or non-ASCII strings use it.
 */
const utf8Length = (s: string): number => {
  const n = s.length
  if (n > 48) return Buffer.byteLength(s, "utf8")
  for (let i = 0; i < n; i++) {
    if (s.charCodeAt(i) > 127) return Buffer.byteLength(s, "utf8")
  }
  return n
}

/** Decimal digits of a non-negative integer below 2^53. */
const digits = (n: number): number =>
  n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10_000 ? 4 : n < 100_000 ? 5 : String(n).length

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
 * Accumulates commands and hands them back as one chunk for one `socket.write`.
 *
 * @example
 * const writer = new CommandWriter()
 * writer.push(["SET", "key", "value"])
 * writer.push(["GET", "key"])
 * socket.write(writer.take())
 *
 * @since 0.1.0
 * @category encoding
 */
export class CommandWriter {
  /** Text since the last binary piece (or since `take`). */
  private text = ""
  /**
   * Earlier pieces of this batch, text and bytes alternating, in order; empty while the batch
   * is all text. `take` writes them into one Buffer of `bytes` bytes: one allocation, one copy.
   */
  private pieces: Array<string | Uint8Array> = []
  private commands = 0
  private bytes = 0

  /**
   * Appends one command.
   *
   * @since 0.1.0
   */
  push(args: ReadonlyArray<RespArg>): void {
    const count = args.length
    let out = `*${count}\r\n`
    let bytes = digits(count) + 3
    for (let i = 0; i < count; i++) {
      const arg = args[i]!
      if (typeof arg === "string") {
        const length = utf8Length(arg)
        out += `$${length}\r\n${arg}\r\n`
        bytes += digits(length) + length + 5
      } else if (typeof arg === "number") {
        const text = numberArgument(arg)
        out += `$${text.length}\r\n${text}\r\n`
        bytes += digits(text.length) + text.length + 5
      } else {
        const length = arg.length
        this.pieces.push(`${this.text}${out}$${length}\r\n`, arg)
        this.text = ""
        out = "\r\n"
        bytes += digits(length) + length + 5
      }
    }
    this.text += out
    this.commands++
    this.bytes += bytes
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
   * Exact encoded size, in bytes, of the commands pushed since the last `take`.
   *
   * @since 0.1.0
   */
  get pendingBytes(): number {
    return this.bytes
  }

  /**
   * Everything pushed since the last `take`, as one chunk: a string (write it as UTF-8) when
   * the batch had no binary argument, else a Buffer. An empty batch gives `""`.
   *
   * @since 0.1.0
   */
  take(): string | Buffer {
    const text = this.text
    const bytes = this.bytes
    this.text = ""
    this.commands = 0
    this.bytes = 0
    if (this.pieces.length === 0) return text
    const pieces = this.pieces
    this.pieces = []
    pieces.push(text)
    const out = Buffer.allocUnsafe(bytes) as Buffer & { utf8Write(text: string, offset: number): number }
    let offset = 0
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!
      if (typeof piece === "string") {
        offset += out.utf8Write(piece, offset)
      } else {
        out.set(piece, offset)
        offset += piece.length
      }
    }
    // `bytes` is exact, so this never trims; if it ever did not hold, never send the
    // uninitialised tail of allocUnsafe.
    return offset === bytes ? out : out.subarray(0, offset)
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
  const out = writer.take()
  return typeof out === "string" ? Buffer.from(out, "utf8") : out
}
