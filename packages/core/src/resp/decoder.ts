/**
 * Incremental RESP2/RESP3 decoder.
 *
 * Bytes arrive as socket chunks; replies may straddle chunks at any byte. The decoder is a
 * resumable state machine:
 *
 * - aggregates (array, map, set, push, attribute) live on an explicit stack of frames, so a
 *   big array spread over many chunks is never re-parsed from its start;
 * - a scalar that is cut by the end of a chunk is either a line (`+`, `-`, `:`, `,`, `(`, `#`,
 *   `_` and every length header), whose fragments are kept until its CRLF arrives, or the
 *   payload of a bulk (`$`, `=`, `!`), whose fragments are kept until its announced length
 *   is buffered and then joined once. Either way each byte is copied at most a constant
 *   number of times: a 16 MB value arriving in 4 KB chunks costs one join, not 4096.
 *
 * A reply that is complete inside one chunk (the common case) is parsed in place with no
 * copy. Malformed input or input beyond a limit yields a `ProtocolError` value from `feed`;
 * nothing is thrown, and the decoder stays failed until `reset`.
 *
 * @since 0.1.0
 */
import { constants as bufferConstants } from "node:buffer"
import { StringDecoder } from "node:string_decoder"
import { ProtocolError } from "../errors.ts"
import { RespError, RespPush, type RespValue, VerbatimString } from "./types.ts"

/**
 * Limits that bound what a hostile or broken peer can make the decoder hold or build.
 *
 * @since 0.1.0
 * @category models
 */
export interface DecoderOptions {
  /**
   * Deepest nesting of aggregates (arrays, maps, sets, pushes, attributes). Default 256:
   * the decoder does not recurse, so this only bounds hostile input, and it stays above what
   * a Lua script can legitimately return (Lua's C-call limit is about 200 levels).
   */
  readonly maxDepth?: number
  /** Longest bulk string, verbatim string or bulk error. Default 512 MiB (Valkey's `proto-max-bulk-len`). */
  readonly maxBulkLength?: number
  /**
   * Most elements announced by one array, set or push (pairs for a map). Default 2^32 - 1,
   * the longest JavaScript array. Memory is never reserved from the announced count alone
   * (only as far as bytes already received can back it), so this is not an allocation bound.
   * Maps and sets are further capped at 2^24 entries, the engine's own limit.
   */
  readonly maxArrayLength?: number
  /**
   * Longest line (simple string, error, number, double, big number) between its type byte and
   * CRLF. Default 64 KiB. Without it, a peer that never sends CRLF would make the decoder buffer
   * forever.
   */
  readonly maxInlineLength?: number
  /**
   * The caller overwrites a chunk once `feed` returns (a socket reading into one buffer), so
   * everything the decoder delivers or keeps for the next chunk is copied out of it. Default
   * false: bytes are views into the chunk, and a small view keeps its whole chunk alive.
   */
  readonly reusedChunks?: boolean
}

/**
 * Where decoded values go. All three are called synchronously inside `feed`. They must not
 * call `feed` re-entrantly; they may call `reset`, after which the rest of the chunk is dropped.
 *
 * @since 0.1.0
 * @category models
 */
export interface DecoderHandlers {
  /** A complete top-level reply, errors included (as `RespError`). */
  readonly onReply: (value: RespValue) => void
  /** A complete top-level RESP3 push frame (pub/sub message, tracking invalidation). */
  readonly onPush: (push: RespPush) => void
  /**
   * Asked once at the start of each top-level reply that is not a push: `true` decodes the
   * strings of that reply (bulk, simple, verbatim) as `Uint8Array` instead of UTF-8 `string`.
   */
  readonly bytesForNextReply: () => boolean
  /**
   * The same question for each top-level push frame; absent means `false`. A pub/sub
   * subscriber asks for bytes because message payloads may be binary.
   */
  readonly bytesForNextPush?: () => boolean
}

/** Buffer methods Node has (and uses in `toString`) but `@types/node` does not declare. */
interface FastBuffer extends Buffer {
  utf8Slice(start: number, end: number): string
  latin1Slice(start: number, end: number): string
}

// Type bytes.
const SIMPLE = 43 // +
const ERROR = 45 // -
const INTEGER = 58 // :
const BULK = 36 // $
const ARRAY = 42 // *
const NULL = 95 // _
const BOOLEAN = 35 // #
const DOUBLE = 44 // ,
const BIGNUM = 40 // (
const BULK_ERROR = 33 // !
const VERBATIM = 61 // =
const MAP = 37 // %
const SET = 126 // ~
const ATTRIBUTE = 124 // |
const PUSH = 62 // >

const CR = 13
const LF = 10

// Frame kinds.
const K_ARRAY = 0
const K_MAP = 1
const K_SET = 2
const K_PUSH = 3
const K_ATTRIBUTE = 4

// What an incomplete item is waiting for.
const WAIT_NONE = 0
const WAIT_LINE = 1
const WAIT_BULK = 2

// Results of readLength besides a length >= 0.
const LEN_NIL = -1
const LEN_INCOMPLETE = -2
const LEN_ERROR = -3

// The engine refuses Maps and Sets above 2^24 entries (it throws); refuse them first.
const MAX_COLLECTION = 16_777_216

// Above this size a cut bulk string is decoded piece by piece as it arrives, instead of being
// copied into one Buffer and decoded once whole. Up to it, that Buffer comes from Node's 8 KiB
// pool; above it each would be a malloc of its own, which costs more than the decode (16 KiB
// values at 1,000 callers: 21 vs 24 µs of CPU per op, peak RSS 313 vs 359 MiB, with the
// threshold here vs at 64 KiB).
const JOIN_AS_TEXT = 4 * 1024

// Up to this size a cut bulk payload gets its final buffer when it starts, and each piece is
// copied in as it comes. Above it the pieces are kept and joined at the end, so a peer that
// announces a huge payload gets memory only as fast as it sends bytes.
const PREALLOCATE_MAX = 1024 * 1024

const CRLF = (CR << 8) | LF

/** A long text payload decoded piece by piece; a StringDecoder carries characters cut between pieces. */
class BulkText {
  private readonly decoder = new StringDecoder("utf8")
  private text = ""
  private tooLong = false
  /** The last bytes after the payload (its CRLF), shifted in. */
  tail = 0

  add(piece: Buffer): void {
    if (this.tooLong) return
    try {
      this.text += this.decoder.write(piece)
    } catch {
      this.tooLong = true
    }
  }

  /** The text, or undefined when it does not fit in a JavaScript string. */
  end(): string | undefined {
    if (this.tooLong) return undefined
    try {
      return this.text + this.decoder.end()
    } catch {
      return undefined
    }
  }
}

// Size of the slabs that copies of small byte strings are carved from (see `copy`).
const COPY_SLAB = 16 * 1024

const EMPTY: Array<RespValue> = []

const fromCharCode = String.fromCharCode

/**
 * An array for `count` elements, of which `available` bytes are already received.
 *
 * Every element takes at least 3 bytes, so the array is sized up front only as far as those
 * bytes can back it (a bogus count reserves nothing), and to at most 2^16: V8 makes arrays
 * created longer than about 10^5 slow (dictionary) arrays. Slot 0 is set to null at once so
 * every array starts in the same generic elements kind: the store of decoded values into it
 * then stays monomorphic whatever the values are, instead of transitioning per array.
 */
const newArray = (count: number, available: number): Array<RespValue> => {
  const array = new Array<RespValue>(Math.min(count, Math.floor(available / 3), 65_536))
  array[0] = null
  return array
}

/** One open aggregate. Reused across aggregates at the same depth, so opening one allocates only its container. */
class Frame {
  kind = K_ARRAY
  remaining = 0
  index = 0
  array: Array<RespValue> = EMPTY
  map: Map<RespValue, RespValue> | undefined = undefined
  set: Set<RespValue> | undefined = undefined
  key: RespValue = null
  hasKey = false
}

const asBuffer = (chunk: Uint8Array): FastBuffer =>
  (Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)) as FastBuffer

const typeName = (byte: number): string =>
  byte >= 32 && byte < 127 ? `'${String.fromCharCode(byte)}'` : `0x${byte.toString(16).padStart(2, "0")}`

const isDoubleText = (buf: Buffer, start: number, end: number): boolean => {
  if (start === end) return false
  for (let i = start; i < end; i++) {
    const c = buf[i]!
    // digits, + - . e E
    if (!((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 101 || c === 69)) return false
  }
  return true
}

/**
 * Incremental RESP2/RESP3 decoder. Feed it socket chunks in order; it calls `onReply` for each
 * complete top-level reply and `onPush` for each top-level push frame.
 *
 * Strings are decoded as UTF-8 by default. In bytes mode (see `bytesForNextReply`) they are
 * views into the fed chunk (or into the decoder's own join of several chunks), which relies on
 * the caller never mutating a chunk after feeding it; a caller that reuses its chunks sets
 * `reusedChunks`, and gets copies.
 *
 * @since 0.1.0
 * @category decoding
 */
export class RespDecoder {
  private readonly handlers: DecoderHandlers
  private readonly maxDepth: number
  private readonly maxBulkLength: number
  private readonly maxArrayLength: number
  private readonly maxInlineLength: number
  private readonly reusedChunks: boolean

  private readonly frames: Array<Frame> = []
  private depth = 0
  /** `frames[depth - 1]`, or undefined at top level: the aggregate the next value goes to. */
  private top: Frame | undefined = undefined
  /** Bumped by `reset`, so a loop interrupted by a handler's `reset` stops. */
  private epoch = 0
  private failure: ProtocolError | undefined = undefined
  /** The current top-level reply has started (bytes mode already asked for). */
  private started = false
  private bytes = false

  private wait = WAIT_NONE
  /** Fragments of the incomplete line (type byte included) or of a bulk payload over PREALLOCATE_MAX. */
  private parts: Array<Buffer> = []
  private partsLength = 0
  private bulkType = 0
  private bulkLength = 0
  /** A cut bulk payload: decoded as it comes (long text), or copied into its final buffer. */
  private text: BulkText | undefined = undefined
  private filling: FastBuffer | undefined = undefined

  /** Where copies of small byte strings are carved from (see `copy`). */
  private copySlab = new ArrayBuffer(0)
  private copyOffset = 0

  /** Next offset after readLength / readLine. */
  private pos = 0

  /**
   * Internal counter of how many times a parse resumed on a new chunk; tests use it to check
   * that chunked input is not re-scanned from the start of the reply.
   *
   * @internal
   */
  resumes = 0

  constructor(handlers: DecoderHandlers, options: DecoderOptions = {}) {
    this.handlers = handlers
    this.maxDepth = options.maxDepth ?? 256
    this.maxBulkLength = options.maxBulkLength ?? 512 * 1024 * 1024
    this.maxArrayLength = options.maxArrayLength ?? 4_294_967_295
    this.maxInlineLength = options.maxInlineLength ?? 64 * 1024
    this.reusedChunks = options.reusedChunks ?? false
  }

  /**
   * Decode the next chunk of the stream. Returns a `ProtocolError` when the stream is not valid
   * RESP or breaks a limit; from then on the decoder returns that same error until `reset`.
   *
   * @since 0.1.0
   */
  feed(chunk: Uint8Array): ProtocolError | undefined {
    if (this.failure !== undefined) return this.failure
    try {
      const buf = asBuffer(chunk)
      let offset = 0
      if (this.wait === WAIT_LINE) {
        offset = this.resumeLine(buf)
        if (offset < 0) return this.failure
      }
      if (this.wait === WAIT_BULK) {
        offset = this.resumeBulk(buf, offset)
        if (offset < 0) return this.failure
      }
      if (offset < buf.length) this.parse(buf, offset)
    } catch (cause) {
      // Only a handler that throws, or an engine limit this file failed to foresee, gets here.
      this.fail(`RESP decoder failed: ${cause instanceof Error ? cause.message : String(cause)}`)
    }
    return this.failure
  }

  /**
   * Forget all partial state and any failure, for a new stream (a new connection).
   *
   * @since 0.1.0
   */
  reset(): void {
    this.epoch++
    this.failure = undefined
    this.started = false
    this.bytes = false
    this.wait = WAIT_NONE
    this.parts = []
    this.partsLength = 0
    this.text = undefined
    this.filling = undefined
    for (let i = 0; i < this.depth; i++) this.clearFrame(this.frames[i]!)
    this.depth = 0
    this.top = undefined
  }

  /**
   * True between replies: nothing is buffered and no aggregate is open.
   *
   * @since 0.1.0
   */
  get idle(): boolean {
    return this.depth === 0 && this.wait === WAIT_NONE && !this.started
  }

  /** Records the first failure. Returns undefined so that callers can `return this.fail(…)`. */
  private fail(message: string): undefined {
    if (this.failure === undefined) this.failure = new ProtocolError({ message })
    return undefined
  }

  // ---------------------------------------------------------------------------------------
  // Resuming an item cut by the end of the previous chunk.

  /** Completes a cut line from the start of `buf`. Returns the offset after it, or -1 to stop. */
  private resumeLine(buf: FastBuffer): number {
    this.resumes++
    const parts = this.parts
    const last = parts[parts.length - 1]!
    let end: number
    if (last[last.length - 1] === CR) {
      if (buf.length === 0) return -1
      if (buf[0] !== LF) {
        this.fail("Expected LF after CR")
        return -1
      }
      end = 1
    } else {
      const cr = buf.indexOf(CR)
      if (cr === -1 || cr + 1 >= buf.length) {
        parts.push(this.keep(buf))
        this.partsLength += buf.length
        if (this.partsLength > this.maxInlineLength + 2) this.fail("Line longer than maxInlineLength")
        return -1
      }
      if (buf[cr + 1] !== LF) {
        this.fail("Expected LF after CR")
        return -1
      }
      end = cr + 2
    }
    parts.push(buf.subarray(0, end))
    const line = Buffer.concat(parts, this.partsLength + end) as FastBuffer
    this.wait = WAIT_NONE
    this.parts = []
    this.partsLength = 0
    const epoch = this.epoch
    // The line holds exactly one item: it completes a scalar, opens an aggregate or, for a
    // bulk header, leaves the decoder waiting for the payload that follows in `buf`.
    this.parse(line, 0)
    if (this.failure !== undefined || this.epoch !== epoch) return -1
    return end
  }

  /**
   * Starts a bulk payload cut by the end of the chunk, with `buf[start..]` (possibly empty).
   * Where it goes depends on what it will be (see `resumeBulk`).
   */
  private cutBulk(buf: FastBuffer, type: number, size: number, start: number): void {
    this.wait = WAIT_BULK
    this.bulkType = type
    this.bulkLength = size
    this.partsLength = 0
    if (type === BULK && !this.bytes && size > JOIN_AS_TEXT) this.text = new BulkText()
    else if (size <= PREALLOCATE_MAX) this.filling = Buffer.allocUnsafe(size + 2) as FastBuffer
    this.takeBulk(buf, start, buf.length - start)
  }

  /** Adds `buf[offset..offset + n]` to the cut bulk payload. */
  private takeBulk(buf: FastBuffer, offset: number, n: number): void {
    if (n === 0) return
    const text = this.text
    if (text !== undefined) {
      // Payload bytes are decoded at once; the CRLF after them is checked when complete.
      const payload = Math.max(0, Math.min(n, this.bulkLength - this.partsLength))
      if (payload > 0) text.add(buf.subarray(offset, offset + payload))
      for (let i = payload; i < n; i++) text.tail = (text.tail << 8) | buf[offset + i]!
    } else if (this.filling !== undefined) {
      buf.copy(this.filling, this.partsLength, offset, offset + n)
    } else {
      this.parts.push(this.keep(buf.subarray(offset, offset + n)))
    }
    this.partsLength += n
  }

  /** Completes a cut bulk payload from `buf` at `offset`. Returns the offset after it, or -1 to stop. */
  private resumeBulk(buf: FastBuffer, offset: number): number {
    const need = this.bulkLength + 2 - this.partsLength
    const available = buf.length - offset
    if (available < need) {
      this.takeBulk(buf, offset, available)
      return -1
    }
    this.resumes++
    this.takeBulk(buf, offset, need)
    const text = this.text
    const filling = this.filling
    const parts = this.parts
    this.wait = WAIT_NONE
    this.text = undefined
    this.filling = undefined
    this.parts = []
    this.partsLength = 0
    let value: RespValue
    if (text !== undefined) {
      if ((text.tail & 0xffff) !== CRLF) {
        this.fail("Expected CRLF after bulk payload")
        return -1
      }
      const decoded = text.end()
      if (decoded === undefined) {
        this.fail(`Bulk string of ${this.bulkLength} bytes is too long for a JavaScript string; ask for bytes`)
        return -1
      }
      value = decoded
    } else {
      const data = filling ?? (Buffer.concat(parts, this.bulkLength + 2) as FastBuffer)
      const end = this.bulkLength
      if (data[end] !== CR || data[end + 1] !== LF) {
        this.fail("Expected CRLF after bulk payload")
        return -1
      }
      value = this.bulkValue(this.bulkType, data, 0, end, true)
      if (this.failure !== undefined) return -1
    }
    const epoch = this.epoch
    this.emit(value)
    if (this.failure !== undefined || this.epoch !== epoch) return -1
    return offset + need
  }

  /** A piece of `buf` kept for the next chunk: a copy when the caller reuses its chunks. */
  private keep(piece: Buffer): Buffer {
    return this.reusedChunks ? Buffer.from(piece) : piece
  }

  /** Keeps the cut line starting at `start` for the next chunk. */
  private waitLine(buf: FastBuffer, start: number): undefined {
    const length = buf.length - start
    if (length > this.maxInlineLength + 2) return this.fail("Line longer than maxInlineLength")
    this.wait = WAIT_LINE
    this.parts = [this.keep(start === 0 ? buf : buf.subarray(start))]
    this.partsLength = length
  }

  // ---------------------------------------------------------------------------------------
  // The in-place parser.

  /** Parses complete items of `buf` from `offset` on; keeps a cut item for the next chunk. */
  private parse(buf: FastBuffer, offset: number): undefined {
    const length = buf.length
    const epoch = this.epoch
    while (offset < length) {
      const start = offset
      const type = buf[offset]!
      if (this.depth === 0 && !this.started) {
        if (type === PUSH) {
          this.bytes = this.handlers.bytesForNextPush?.() === true
        } else if (type === ATTRIBUTE) {
          this.bytes = false
        } else {
          this.bytes = this.handlers.bytesForNextReply()
          this.started = true
          if (this.epoch !== epoch) return
        }
      }
      let value: RespValue
      switch (type) {
        case BULK:
        case VERBATIM:
        case BULK_ERROR: {
          const size = this.readLength(buf, offset + 1, length)
          if (size < 0) {
            if (size === LEN_INCOMPLETE) return this.waitLine(buf, start)
            if (size === LEN_ERROR) return
            if (type !== BULK) return this.fail(`Nil length for type ${typeName(type)}`)
            value = null
            offset = this.pos
            break
          }
          if (size > this.maxBulkLength) {
            return this.fail(`Bulk length ${size} exceeds maxBulkLength ${this.maxBulkLength}`)
          }
          const dataStart = this.pos
          const dataEnd = dataStart + size
          if (dataEnd + 2 > length) {
            // Payload cut by the end of the chunk: take what is here, finish with the next.
            this.cutBulk(buf, type, size, Math.min(dataStart, length))
            return
          }
          if (buf[dataEnd] !== CR || buf[dataEnd + 1] !== LF) return this.fail("Expected CRLF after bulk payload")
          value = this.bulkValue(type, buf, dataStart, dataEnd, false)
          if (this.failure !== undefined) return
          offset = dataEnd + 2
          break
        }
        case SIMPLE: {
          if (
            !this.bytes &&
            offset + 4 < length &&
            buf[offset + 1] === 79 &&
            buf[offset + 2] === 75 &&
            buf[offset + 3] === CR &&
            buf[offset + 4] === LF
          ) {
            // "+OK\r\n", the most frequent reply of all: no native call, no new string.
            value = "OK"
            offset += 5
            break
          }
          const end = this.readLine(buf, offset + 1, length)
          if (end < 0) {
            if (end === LEN_INCOMPLETE) return this.waitLine(buf, start)
            return
          }
          value = this.bytes ? this.slice(buf, offset + 1, end) : buf.utf8Slice(offset + 1, end)
          offset = end + 2
          break
        }
        case INTEGER: {
          // Fast path: up to 15 unsigned digits then CRLF, all in this chunk, always a Smi-or-safe
          // number. Anything else (sign, bigint, cut, malformed) takes readInteger from the start.
          let i = offset + 1
          let n = 0
          const limit = Math.min(length, i + 15)
          while (i < limit) {
            const c = buf[i]! - 48
            if (c < 0 || c > 9) break
            n = n * 10 + c
            i++
          }
          if (i > offset + 1 && i + 1 < length && buf[i] === CR && buf[i + 1] === LF) {
            value = n
            offset = i + 2
            break
          }
          const result = this.readInteger(buf, offset + 1, length)
          if (result === undefined) {
            if (this.failure !== undefined) return
            return this.waitLine(buf, start)
          }
          value = result
          offset = this.pos
          break
        }
        case ARRAY:
        case MAP:
        case SET:
        case PUSH:
        case ATTRIBUTE: {
          const count = this.readLength(buf, offset + 1, length)
          if (count < 0) {
            if (count === LEN_INCOMPLETE) return this.waitLine(buf, start)
            if (count === LEN_ERROR) return
            if (type !== ARRAY) return this.fail(`Nil length for type ${typeName(type)}`)
            value = null
            offset = this.pos
            break
          }
          offset = this.pos
          if (count > this.maxArrayLength) {
            return this.fail(`Aggregate length ${count} exceeds maxArrayLength ${this.maxArrayLength}`)
          }
          if ((type === MAP || type === SET || type === ATTRIBUTE) && count > MAX_COLLECTION) {
            return this.fail(`Aggregate length ${count} exceeds the engine's Map/Set limit`)
          }
          if (count === 0) {
            if (type === ATTRIBUTE) continue
            if (type === PUSH && this.depth === 0) {
              this.handlers.onPush(new RespPush([]))
              if (this.epoch !== epoch) return
              continue
            }
            value = type === ARRAY ? [] : type === MAP ? new Map() : type === SET ? new Set() : new RespPush([])
            break
          }
          if (this.depth >= this.maxDepth) return this.fail(`Nesting deeper than maxDepth ${this.maxDepth}`)
          this.open(type, count, length - offset)
          continue
        }
        case ERROR: {
          const end = this.readLine(buf, offset + 1, length)
          if (end < 0) {
            if (end === LEN_INCOMPLETE) return this.waitLine(buf, start)
            return
          }
          value = new RespError(buf.utf8Slice(offset + 1, end))
          offset = end + 2
          break
        }
        case NULL: {
          if (offset + 2 >= length) return this.waitLine(buf, start)
          if (buf[offset + 1] !== CR || buf[offset + 2] !== LF) return this.fail("Malformed null")
          value = null
          offset += 3
          break
        }
        case BOOLEAN: {
          if (offset + 3 >= length) return this.waitLine(buf, start)
          const c = buf[offset + 1]
          if ((c !== 116 && c !== 102) || buf[offset + 2] !== CR || buf[offset + 3] !== LF) {
            return this.fail("Malformed boolean")
          }
          value = c === 116
          offset += 4
          break
        }
        case DOUBLE: {
          const end = this.readLine(buf, offset + 1, length)
          if (end < 0) {
            if (end === LEN_INCOMPLETE) return this.waitLine(buf, start)
            return
          }
          const parsed = this.parseDouble(buf, offset + 1, end)
          if (parsed === undefined) return
          value = parsed
          offset = end + 2
          break
        }
        case BIGNUM: {
          const end = this.readLine(buf, offset + 1, length)
          if (end < 0) {
            if (end === LEN_INCOMPLETE) return this.waitLine(buf, start)
            return
          }
          let i = offset + 1
          if (buf[i] === 45 || buf[i] === 43) i++
          if (i === end) return this.fail("Malformed big number")
          for (; i < end; i++) {
            const c = buf[i]!
            if (c < 48 || c > 57) return this.fail("Malformed big number")
          }
          value = BigInt(buf.latin1Slice(offset + 1, end))
          offset = end + 2
          break
        }
        default:
          return this.fail(`Unexpected RESP type byte ${typeName(type)}`)
      }
      // Fast paths: a top-level scalar goes straight to its handler; an element that does not
      // complete its array calls no handler and can neither fail nor reset.
      const top = this.top
      if (top === undefined) {
        this.started = false
        this.handlers.onReply(value)
        if (this.epoch !== epoch) return
        continue
      }
      if (top.kind === K_ARRAY && top.remaining > 1) {
        top.array[top.index++] = value
        top.remaining--
        continue
      }
      this.emit(value)
      if (this.failure !== undefined || this.epoch !== epoch) return
    }
  }

  /** Opens an aggregate of `count` elements. `available` bytes follow it in this chunk. */
  private open(type: number, count: number, available: number): void {
    let frame = this.frames[this.depth]
    if (frame === undefined) {
      frame = new Frame()
      this.frames.push(frame)
    }
    this.depth++
    this.top = frame
    frame.index = 0
    frame.hasKey = false
    switch (type) {
      case ARRAY:
      case PUSH:
        frame.kind = type === ARRAY ? K_ARRAY : K_PUSH
        frame.remaining = count
        frame.array = newArray(count, available)
        break
      case MAP:
        frame.kind = K_MAP
        frame.remaining = count * 2
        frame.map = new Map()
        break
      case SET:
        frame.kind = K_SET
        frame.remaining = count
        frame.set = new Set()
        break
      default:
        frame.kind = K_ATTRIBUTE
        frame.remaining = count * 2
    }
  }

  /** Resets a finished aggregate frame so the next aggregate at its depth can reuse it. */
  private clearFrame(frame: Frame): void {
    frame.array = EMPTY
    frame.map = undefined
    frame.set = undefined
    frame.key = null
  }

  /** Delivers a complete value to its aggregate, closing aggregates it completes, or to the handlers. */
  private emit(value: RespValue): void {
    while (true) {
      if (this.depth === 0) {
        this.started = false
        this.handlers.onReply(value)
        return
      }
      const frame = this.top!
      switch (frame.kind) {
        case K_ARRAY:
        case K_PUSH:
          frame.array[frame.index++] = value
          break
        case K_MAP:
          if (frame.hasKey) {
            frame.map!.set(frame.key, value)
            frame.hasKey = false
            frame.key = null
          } else {
            frame.key = value
            frame.hasKey = true
          }
          break
        case K_SET:
          frame.set!.add(value)
          break
        // K_ATTRIBUTE: attributes are metadata about the next value; dropped.
      }
      if (--frame.remaining !== 0) return
      this.depth--
      this.top = this.depth === 0 ? undefined : this.frames[this.depth - 1]
      switch (frame.kind) {
        case K_ARRAY:
          value = frame.array
          break
        case K_PUSH: {
          const push = new RespPush(frame.array)
          this.clearFrame(frame)
          if (this.depth === 0) {
            this.handlers.onPush(push)
            return
          }
          value = push
          continue
        }
        case K_MAP:
          value = frame.map!
          break
        case K_SET:
          value = frame.set!
          break
        default:
          // A finished attribute: its value is whatever comes next, at the same level.
          this.clearFrame(frame)
          return
      }
      this.clearFrame(frame)
    }
  }

  // ---------------------------------------------------------------------------------------
  // Scalars.

  /**
   * Bytes `start..end` of `buf` as a plain Uint8Array: a view, or a copy with `reusedChunks`.
   * Built with the Uint8Array constructor: `Buffer#subarray` goes through Node's Buffer
   * subclass constructor and costs about twice as much.
   */
  private slice(buf: FastBuffer, start: number, end: number): Uint8Array {
    const view = new Uint8Array(buf.buffer, buf.byteOffset + start, end - start)
    return this.reusedChunks ? this.copy(view) : view
  }

  /**
   * A copy of `view`. Small ones are carved from a shared slab, as Node's Buffer pool does: a
   * copy per value with `Uint8Array#slice` (an ArrayBuffer each) made decoding 100-byte
   * values as bytes 10x slower. A kept copy keeps its slab alive, as a view kept its chunk.
   */
  private copy(view: Uint8Array): Uint8Array {
    const length = view.length
    if (length > COPY_SLAB / 4) return view.slice()
    if (this.copyOffset + length > this.copySlab.byteLength) {
      this.copySlab = new ArrayBuffer(COPY_SLAB)
      this.copyOffset = 0
    }
    const copy = new Uint8Array(this.copySlab, this.copyOffset, length)
    copy.set(view)
    // 8-byte aligned, like Node's pool, so typed views over a copy stay possible.
    this.copyOffset = (this.copyOffset + length + 7) & ~7
    return copy
  }

  /** `owned`: `buf` is the decoder's own join, so a view into it never needs a copy. */
  private bulkValue(type: number, buf: FastBuffer, start: number, end: number, owned: boolean): RespValue {
    if (type === BULK) {
      if (this.bytes)
        return owned ? new Uint8Array(buf.buffer, buf.byteOffset + start, end - start) : this.slice(buf, start, end)
      return this.utf8(buf, start, end)
    }
    if (type === BULK_ERROR) return new RespError(this.utf8(buf, start, end))
    // Verbatim: "fmt:" then the text.
    if (end - start < 4 || buf[start + 3] !== 58) {
      this.fail("Malformed verbatim string")
      return null
    }
    if (this.bytes) {
      return owned
        ? new Uint8Array(buf.buffer, buf.byteOffset + start + 4, end - start - 4)
        : this.slice(buf, start + 4, end)
    }
    return new VerbatimString(buf.latin1Slice(start, start + 3), this.utf8(buf, start + 4, end))
  }

  /** `buf[start, end)` as UTF-8 text; short strings are decoded in JavaScript, which is cheaper. */
  private utf8(buf: FastBuffer, start: number, end: number): string {
    const n = end - start
    if (n <= 8) {
      // Short ASCII strings (counters, small values, field names) are built in JavaScript:
      // about 3x cheaper than the native call for up to 8 bytes.
      let bits = 0
      for (let i = start; i < end; i++) bits |= buf[i]!
      if (bits < 128) {
        switch (n) {
          case 0:
            return ""
          case 1:
            return fromCharCode(buf[start]!)
          case 2:
            return fromCharCode(buf[start]!, buf[start + 1]!)
          case 3:
            return fromCharCode(buf[start]!, buf[start + 1]!, buf[start + 2]!)
          case 4:
            return fromCharCode(buf[start]!, buf[start + 1]!, buf[start + 2]!, buf[start + 3]!)
          case 5:
            return fromCharCode(buf[start]!, buf[start + 1]!, buf[start + 2]!, buf[start + 3]!, buf[start + 4]!)
          case 6:
            return fromCharCode(
              buf[start]!,
              buf[start + 1]!,
              buf[start + 2]!,
              buf[start + 3]!,
              buf[start + 4]!,
              buf[start + 5]!
            )
          case 7:
            return fromCharCode(
              buf[start]!,
              buf[start + 1]!,
              buf[start + 2]!,
              buf[start + 3]!,
              buf[start + 4]!,
              buf[start + 5]!,
              buf[start + 6]!
            )
          default:
            return fromCharCode(
              buf[start]!,
              buf[start + 1]!,
              buf[start + 2]!,
              buf[start + 3]!,
              buf[start + 4]!,
              buf[start + 5]!,
              buf[start + 6]!,
              buf[start + 7]!
            )
        }
      }
      return buf.utf8Slice(start, end)
    }
    if (n > bufferConstants.MAX_STRING_LENGTH) {
      // A string this long may not fit a JavaScript string at all (the engine would throw).
      try {
        return buf.utf8Slice(start, end)
      } catch {
        this.fail(`Bulk string of ${end - start} bytes is too long for a JavaScript string; ask for bytes`)
        return ""
      }
    }
    return buf.utf8Slice(start, end)
  }

  /**
   * Reads a length header (digits or "-1") starting at `i`, through its CRLF. Returns the
   * length, LEN_NIL, LEN_INCOMPLETE or LEN_ERROR (failure set); sets `pos` after the CRLF.
   */
  private readLength(buf: FastBuffer, i: number, length: number): number {
    if (i >= length) return LEN_INCOMPLETE
    if (buf[i] === 45) {
      if (i + 1 < length && buf[i + 1] !== 49) return this.lengthError()
      if (i + 3 >= length) return LEN_INCOMPLETE
      if (buf[i + 2] !== CR || buf[i + 3] !== LF) return this.lengthError()
      this.pos = i + 4
      return LEN_NIL
    }
    const first = i
    let n = 0
    while (true) {
      if (i >= length) return LEN_INCOMPLETE
      const c = buf[i]! - 48
      if (c < 0 || c > 9) break
      n = n * 10 + c
      i++
    }
    // 15 digits are more than any limit allows and keep `n` exact.
    if (i === first || i - first > 15 || buf[i] !== CR) return this.lengthError()
    if (i + 1 >= length) return LEN_INCOMPLETE
    if (buf[i + 1] !== LF) return this.lengthError()
    this.pos = i + 2
    return n
  }

  /** Fails the stream with a malformed length and returns the marker its callers check for. */
  private lengthError(): number {
    this.fail("Malformed length")
    return LEN_ERROR
  }

  /**
   * Finds the CRLF ending a line whose content starts at `i`. Returns the CR's offset,
   * LEN_INCOMPLETE or LEN_ERROR (failure set).
   */
  private readLine(buf: FastBuffer, i: number, length: number): number {
    const cr = buf.indexOf(CR, i)
    if (cr === -1 || cr + 1 >= length) {
      if (length - i > this.maxInlineLength + 1) {
        this.fail("Line longer than maxInlineLength")
        return LEN_ERROR
      }
      return LEN_INCOMPLETE
    }
    if (buf[cr + 1] !== LF) {
      this.fail("Expected LF after CR")
      return LEN_ERROR
    }
    if (cr - i > this.maxInlineLength) {
      this.fail("Line longer than maxInlineLength")
      return LEN_ERROR
    }
    return cr
  }

  /**
   * Reads an integer line starting at `i` (after ':'). Returns the value (a bigint beyond
   * 2^53), or undefined when incomplete or malformed (then failure is set). Sets `pos`.
   */
  private readInteger(buf: FastBuffer, i: number, length: number): number | bigint | undefined {
    const start = i
    let negative = false
    if (i < length && (buf[i] === 45 || buf[i] === 43)) {
      negative = buf[i] === 45
      i++
    }
    const first = i
    let n = 0
    while (true) {
      if (i >= length) {
        if (i - start > this.maxInlineLength) this.fail("Line longer than maxInlineLength")
        return undefined
      }
      const c = buf[i]! - 48
      if (c < 0 || c > 9) break
      n = n * 10 + c
      i++
    }
    if (i === first || buf[i] !== CR) {
      this.fail("Malformed integer")
      return undefined
    }
    if (i + 1 >= length) return undefined
    if (buf[i + 1] !== LF) {
      this.fail("Expected LF after CR")
      return undefined
    }
    if (i - start > this.maxInlineLength) {
      this.fail("Line longer than maxInlineLength")
      return undefined
    }
    this.pos = i + 2
    // Accumulating in a double is exact up to 2^53; beyond, re-read the digits exactly.
    if (n > Number.MAX_SAFE_INTEGER) {
      const big = BigInt(buf.latin1Slice(first, i))
      return negative ? -big : big
    }
    // `0 - n` rather than `-n`, so ":-0" is 0 and not -0.
    return negative ? 0 - n : n
  }

  /** A RESP3 double (`inf`, `-inf` and `nan` included); `undefined` when the text is no number. */
  private parseDouble(buf: FastBuffer, start: number, end: number): number | undefined {
    const text = buf.latin1Slice(start, end)
    switch (text) {
      case "inf":
      case "+inf":
        return Number.POSITIVE_INFINITY
      case "-inf":
        return Number.NEGATIVE_INFINITY
      case "nan":
      case "-nan":
      case "+nan":
        return Number.NaN
    }
    // Number() also accepts "", " 1 ", "0x10", "Infinity": allow only the characters of a decimal.
    const value = isDoubleText(buf, start, end) ? Number(text) : Number.NaN
    if (Number.isNaN(value)) {
      this.fail("Malformed double")
      return undefined
    }
    return value
  }
}
