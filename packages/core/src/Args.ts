/**
 * Argument types shared by command definitions, and the checks that reject bad input before
 * anything is sent.
 *
 * @since 0.1.0
 */

/**
 * A key: a UTF-8 string or raw bytes (binary safe).
 *
 * @since 0.1.0
 * @category models
 */
export type Key = string | Uint8Array

/**
 * A value: a string, raw bytes, or a number (sent in decimal).
 *
 * @since 0.1.0
 * @category models
 */
export type Value = string | Uint8Array | number

/**
 * Field/value pairs, as a record or as a list of pairs (the only form for binary fields).
 *
 * @since 0.1.0
 * @category models
 */
export type Entries = Readonly<Record<string, Value>> | ReadonlyArray<readonly [Key, Value]>

/**
 * The pairs of `entries` flattened (`k1, v1, k2, v2, …`), appended to `out`.
 *
 * @internal
 */
export const pushEntries = (out: Array<Key | Value>, entries: Entries): number => {
  const before = out.length
  if (Array.isArray(entries)) {
    for (const [k, v] of entries as ReadonlyArray<readonly [Key, Value]>) out.push(k, v)
  } else {
    for (const k in entries) out.push(k, (entries as Record<string, Value>)[k]!)
  }
  return (out.length - before) / 2
}

/**
 * One expiry: seconds (`ex`), milliseconds (`px`), a unix time in seconds (`exat`) or
 * milliseconds (`pxat`). SET and HSETEX add `keepTtl`, HGETEX `persist`.
 *
 * @since 0.2.0
 * @category models
 */
export interface ExpiryOptions {
  readonly ex?: number
  readonly px?: number
  readonly exat?: number
  readonly pxat?: number
}

/**
 * Appends the expiry of `options` (`EX n`, …, or the `flag` word when `flag` is set) to `out`,
 * or says why it cannot: a time that is not a positive integer, or more than one given.
 *
 * @internal
 */
export const pushExpiry = (
  out: Array<Key | Value>,
  options: ExpiryOptions,
  flag?: { readonly name: string; readonly word: string; readonly set: boolean | undefined }
): string | undefined => {
  let given = 0
  for (const unit of ["ex", "px", "exat", "pxat"] as const) {
    const n = options[unit]
    if (n === undefined) continue
    given++
    const bad = badInteger(n, unit, 1)
    if (bad !== undefined) return bad
    out.push(unit.toUpperCase(), n)
  }
  if (flag?.set === true) {
    given++
    out.push(flag.word)
  }
  return given > 1 ? `choose one of ex, px, exat, pxat${flag === undefined ? "" : `, ${flag.name}`}` : undefined
}

/**
 * A reason a number argument is unusable, or undefined when it is fine.
 *
 * @since 0.2.0
 * @category checks
 */
export const badInteger = (n: number, what: string, minimum = Number.MIN_SAFE_INTEGER): string | undefined =>
  Number.isSafeInteger(n)
    ? n < minimum
      ? `${what} must be at least ${minimum}, got ${n}`
      : undefined
    : `${what} must be an integer, got ${n}`

/**
 * A reason a number argument is unusable (NaN), or undefined when it is fine.
 *
 * @since 0.2.0
 * @category checks
 */
export const badNumber = (n: number, what: string): string | undefined =>
  Number.isNaN(n) ? `${what} must be a number, got NaN` : undefined

/**
 * A reason a blocking timeout (seconds, 0 = forever) is unusable, or undefined when it is fine.
 *
 * @since 0.2.0
 * @category checks
 */
export const badTimeout = (seconds: number): string | undefined =>
  Number.isFinite(seconds) && seconds >= 0
    ? undefined
    : `timeout must be a finite number of seconds >= 0, got ${seconds}`

/**
 * A reason a score is unusable (NaN), or undefined: ±Infinity is a valid score.
 *
 * @since 0.2.0
 * @category checks
 */
export const badScore = (n: number, what = "score"): string | undefined =>
  typeof n !== "number" || Number.isNaN(n) ? `${what} must be a number, got ${n}` : undefined

/**
 * A reason a number that must be finite is unusable, or undefined when it is fine.
 *
 * @since 0.2.0
 * @category checks
 */
export const badFinite = (n: number, what: string): string | undefined =>
  Number.isFinite(n) ? undefined : `${what} must be a finite number, got ${n}`
