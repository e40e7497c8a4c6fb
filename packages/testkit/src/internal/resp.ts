/**
 * A minimal RESP2/RESP3 encoder and incremental decoder for the admin client. It only has
 * to be correct, not fast: admin traffic is a handful of commands per test.
 *
 * @since 0.1.0
 */

/**
 * A decoded reply. Bulk strings stay raw bytes here so keys survive a round trip through
 * `CLUSTER GETKEYSINSLOT` + `MIGRATE` unchanged; the admin client converts them to text.
 *
 * @since 0.1.0
 * @category models
 */
export type RawReply = string | number | null | Uint8Array | RawErrorReply | ReadonlyArray<RawReply>

/**
 * An error reply (`-ERR ...`), kept as a value so that a reply nested in an array (e.g. in
 * a transaction) does not abort decoding.
 *
 * @since 0.1.0
 * @category models
 */
export class RawErrorReply {
  readonly message: string
  constructor(message: string) {
    this.message = message
  }
}

const CRLF = "\r\n"

/**
 * Encodes one command as a RESP array of bulk strings.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeCommand = (args: ReadonlyArray<string | Uint8Array>): Buffer => {
  const parts: Array<Buffer> = [Buffer.from(`*${args.length}${CRLF}`)]
  for (const arg of args) {
    const bytes = typeof arg === "string" ? Buffer.from(arg, "utf8") : Buffer.from(arg)
    parts.push(Buffer.from(`$${bytes.length}${CRLF}`), bytes, Buffer.from(CRLF))
  }
  return Buffer.concat(parts)
}

/**
 * Thrown inside the decoder only; the admin client turns it into a typed error.
 *
 * @since 0.1.0
 * @category errors
 */
export class ProtocolViolation extends Error {}

type Step = { readonly value: RawReply; readonly next: number } | undefined

const readLine = (buf: Buffer, start: number): { readonly line: string; readonly next: number } | undefined => {
  const end = buf.indexOf(CRLF, start)
  if (end === -1) return undefined
  return { line: buf.toString("utf8", start, end), next: end + 2 }
}

const readAggregate = (buf: Buffer, start: number, count: number): Step => {
  const items: Array<RawReply> = []
  let offset = start
  for (let i = 0; i < count; i++) {
    const step = decodeAt(buf, offset)
    if (step === undefined) return undefined
    items.push(step.value)
    offset = step.next
  }
  return { value: items, next: offset }
}

const readBulk = (buf: Buffer, next: number, length: number): Step => {
  if (length < 0) return { value: null, next }
  if (buf.length < next + length + 2) return undefined
  return { value: buf.subarray(next, next + length), next: next + length + 2 }
}

/**
 * Decodes one reply starting at `offset`; `undefined` means more bytes are needed.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeAt = (buf: Buffer, offset: number): Step => {
  if (buf.length <= offset) return undefined
  const header = readLine(buf, offset + 1)
  if (header === undefined) return undefined
  const { line, next } = header
  switch (String.fromCharCode(buf[offset]!)) {
    case "+":
      return { value: line, next }
    case "-":
    case "!": {
      // RESP3 blob error: the header is a length, the message follows
      if (buf[offset] === 0x21) {
        const step = readBulk(buf, next, Number(line))
        if (step === undefined) return undefined
        return { value: new RawErrorReply(Buffer.from(step.value as Uint8Array).toString("utf8")), next: step.next }
      }
      return { value: new RawErrorReply(line), next }
    }
    case ":":
      return { value: Number(line), next }
    case "$":
      return readBulk(buf, next, Number(line))
    case "=": {
      // RESP3 verbatim string: strip the "txt:" format prefix
      const step = readBulk(buf, next, Number(line))
      if (step === undefined || step.value === null) return step
      return { value: (step.value as Uint8Array).subarray(4), next: step.next }
    }
    case "*":
    case "~":
    case ">": {
      const count = Number(line)
      return count < 0 ? { value: null, next } : readAggregate(buf, next, count)
    }
    case "%":
      // RESP3 map: flattened to [k1, v1, k2, v2, ...] like RESP2 replies
      return readAggregate(buf, next, Number(line) * 2)
    case "_":
      return { value: null, next }
    case "#":
      return { value: line === "t" ? 1 : 0, next }
    case ",":
    case "(":
      return { value: line, next }
    default:
      throw new ProtocolViolation(`unexpected RESP type byte ${JSON.stringify(String.fromCharCode(buf[offset]!))}`)
  }
}
