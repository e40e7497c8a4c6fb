/**
 * Hash slots: which of the cluster's 16384 slots a key belongs to (CRC16-XMODEM of the key, or
 * of its hash tag, mod 16384), and the one slot of a command's keys. Runs for every keyed
 * command in cluster mode, so it allocates nothing: strings are hashed from their UTF-8 form
 * computed on the fly, never through a Buffer.
 *
 * @since 0.1.0
 */
import type { Command, RespArg } from "@effect-valkey/core"

/**
 * The number of hash slots in a Valkey cluster.
 *
 * @since 0.1.0
 * @category constants
 */
export const SLOTS = 16384

// CRC16-XMODEM (poly 0x1021, init 0, no reflection), one table lookup per byte.
const TABLE = (() => {
  const table = new Uint16Array(256)
  for (let i = 0; i < 256; i++) {
    let crc = i << 8
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1
    table[i] = crc & 0xffff
  }
  return table
})()

const OPEN = 0x7b // "{"
const CLOSE = 0x7d // "}"

const crcBytes = (bytes: Uint8Array, start: number, end: number): number => {
  let crc = 0
  for (let i = start; i < end; i++) crc = ((crc << 8) ^ TABLE[(crc >>> 8) ^ bytes[i]!]!) & 0xffff
  return crc
}

/**
 * CRC of `s[start, end)` as UTF-8, encoded inline. ASCII (the usual key) costs one lookup per
 * character; other characters are expanded to their UTF-8 bytes the way Node's encoder (and so
 * the bytes on the wire) does it, lone surrogates becoming U+FFFD.
 */
const crcString = (s: string, start: number, end: number): number => {
  let crc = 0
  for (let i = start; i < end; i++) {
    let c = s.charCodeAt(i)
    if (c < 0x80) {
      crc = ((crc << 8) ^ TABLE[(crc >>> 8) ^ c]!) & 0xffff
      continue
    }
    if (c < 0x800) {
      crc = ((crc << 8) ^ TABLE[(crc >>> 8) ^ (0xc0 | (c >>> 6))]!) & 0xffff
      crc = ((crc << 8) ^ TABLE[(crc >>> 8) ^ (0x80 | (c & 0x3f))]!) & 0xffff
      continue
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < end ? s.charCodeAt(i + 1) : 0
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00)
        i++
        crc = ((crc << 8) ^ TABLE[(crc >>> 8) ^ (0xf0 | (cp >>> 18))]!) & 0xffff
        crc = ((crc << 8) ^ TABLE[(crc >>> 8) ^ (0x80 | ((cp >>> 12) & 0x3f))]!) & 0xffff
        crc = ((crc << 8) ^ TABLE[(crc >>> 8) ^ (0x80 | ((cp >>> 6) & 0x3f))]!) & 0xffff
        crc = ((crc << 8) ^ TABLE[(crc >>> 8) ^ (0x80 | (cp & 0x3f))]!) & 0xffff
        continue
      }
      c = 0xfffd
    }
    crc = ((crc << 8) ^ TABLE[(crc >>> 8) ^ (0xe0 | (c >>> 12))]!) & 0xffff
    crc = ((crc << 8) ^ TABLE[(crc >>> 8) ^ (0x80 | ((c >>> 6) & 0x3f))]!) & 0xffff
    crc = ((crc << 8) ^ TABLE[(crc >>> 8) ^ (0x80 | (c & 0x3f))]!) & 0xffff
  }
  return crc
}

/**
 * The hash slot of a key: CRC16-XMODEM mod 16384, over the hash tag when the key has one (the
 * bytes between the first `{` and the first `}` after it, when there are any), otherwise over
 * the whole key. Strings hash as their UTF-8 bytes; since `{` and `}` are ASCII and never part
 * of a multi-byte UTF-8 sequence, searching the string finds the same tag as searching bytes.
 *
 * @since 0.1.0
 * @category slots
 */
export const slotOf = (key: string | Uint8Array): number => {
  if (typeof key === "string") {
    const open = key.indexOf("{")
    if (open !== -1) {
      const close = key.indexOf("}", open + 1)
      if (close > open + 1) return crcString(key, open + 1, close) & 0x3fff
    }
    return crcString(key, 0, key.length) & 0x3fff
  }
  const open = key.indexOf(OPEN)
  if (open !== -1) {
    const close = key.indexOf(CLOSE, open + 1)
    if (close > open + 1) return crcBytes(key, open + 1, close) & 0x3fff
  }
  return crcBytes(key, 0, key.length) & 0x3fff
}

/**
 * The slot of a command argument used as a key; a number is sent in decimal, so it hashes as
 * its decimal string.
 *
 * @since 0.1.0
 * @category slots
 */
export const slotOfArg = (arg: RespArg): number => slotOf(typeof arg === "number" ? String(arg) : arg)

/**
 * The one slot all of a command's keys hash to: `undefined` for a keyless command, `"multi"`
 * when its keys span several slots (the server would answer CROSSSLOT; a `multi_shard`
 * command can be split instead, see `MultiSlot`).
 *
 * @since 0.1.0
 * @category slots
 */
export const keySlot = (command: Command.Command<unknown>): number | "multi" | undefined => {
  const first = command.firstKey
  const args = command.args
  if (first < 0 || first >= args.length) return undefined
  const slot = slotOfArg(args[first]!)
  const last = command.lastKey < args.length ? command.lastKey : args.length - 1
  const step = command.keyStep > 0 ? command.keyStep : 1
  for (let i = first + step; i <= last; i += step) {
    if (slotOfArg(args[i]!) !== slot) return "multi"
  }
  return slot
}
