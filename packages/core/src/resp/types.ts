/**
 * The JavaScript shape of RESP2/RESP3 values, as the decoder produces them and the `custom`
 * command returns them.
 *
 * @since 0.1.0
 */

/**
 * An error reply (`-ERR …` or a RESP3 bulk error). Kept as a plain value here: whether it
 * becomes a failure is decided by whoever reads the reply (a top-level error fails the
 * command; an error inside an EXEC array is one element's outcome).
 *
 * @since 0.1.0
 * @category models
 */
export class RespError {
  /** The first word of the message: `ERR`, `WRONGTYPE`, `NOSCRIPT`, `MOVED`, … */
  readonly code: string
  /** The whole error line, code included. */
  readonly message: string
  constructor(message: string) {
    this.message = message
    const space = message.indexOf(" ")
    this.code = space === -1 ? message : message.slice(0, space)
  }
}

/**
 * A RESP3 push frame (`>`): pub/sub messages, client tracking invalidations. Never a reply
 * to a request, so it never enters the FIFO of pending requests.
 *
 * @since 0.1.0
 * @category models
 */
export class RespPush {
  /** The frame's elements, such as `message`, the channel and the payload. */
  readonly data: ReadonlyArray<RespValue>
  constructor(data: ReadonlyArray<RespValue>) {
    this.data = data
  }
}

/**
 * A RESP3 verbatim string (`=`), with its three-letter format (`txt`, `mkd`).
 *
 * @since 0.1.0
 * @category models
 */
export class VerbatimString {
  /** `txt` or `mkd`. */
  readonly format: string
  /** The text, without its format prefix. */
  readonly text: string
  constructor(format: string, text: string) {
    this.format = format
    this.text = text
  }
  /** The text, so a verbatim string prints like a plain one. */
  toString(): string {
    return this.text
  }
}

/**
 * Every decoded value:
 * simple/bulk string -> `string` (or `Uint8Array` when bytes were asked for);
 * integer -> `number` (a `bigint` beyond 2^53); double -> `number` (±Infinity, NaN);
 * big number -> `bigint`; null (RESP2 nil bulk/array, RESP3 `_`) -> `null`;
 * boolean -> `boolean`; array -> `Array`; map -> `Map`; set -> `Set`; verbatim ->
 * `VerbatimString`; error -> `RespError`; push -> `RespPush` (attributes are skipped).
 *
 * @since 0.1.0
 * @category models
 */
export type RespValue =
  | string
  | Uint8Array
  | number
  | bigint
  | boolean
  | null
  | RespError
  | VerbatimString
  | ReadonlyArray<RespValue>
  | ReadonlyMap<RespValue, RespValue>
  | ReadonlySet<RespValue>
  | RespPush

/**
 * One argument of a command: strings are sent as UTF-8, bytes as they are, numbers in their
 * shortest decimal form.
 *
 * @since 0.1.0
 * @category models
 */
export type RespArg = string | Uint8Array | number
