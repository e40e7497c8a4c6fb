/**
 * What the stream families share (not a family: no `Valkey` methods come from here): the entry
 * models and decoders, the streams to read and the COUNT/BLOCK options of XREAD and XREADGROUP.
 *
 * @since 0.2.0
 */
import { badInteger, type Key, type Value } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"
import type { StreamEntry, StreamGroupEntry, StreamIds, StreamReadOptions } from "./streams.ts"

const entryFields = Reply.record(Reply.string)

/**
 * An entry as XREADGROUP gives it (fields null once deleted).
 *
 * @since 0.2.0
 * @category decoders
 */
export const groupEntry: Command.Decoder<StreamGroupEntry> = (reply) => {
  const [id, fields] = Reply.tuple(Reply.string, Reply.raw)(reply)
  return { id, fields: fields === null ? null : entryFields(fields) }
}

/**
 * An entry with its fields.
 *
 * @since 0.2.0
 * @category decoders
 */
export const entry: Command.Decoder<StreamEntry> = (reply) => {
  const decoded = groupEntry(reply)
  if (decoded.fields === null) throw new Command.DecodeFailure(`expected the fields of entry ${decoded.id}, got null`)
  return decoded as StreamEntry
}

/**
 * A list of entries.
 *
 * @since 0.2.0
 * @category decoders
 */
export const entries = Reply.array(entry)

/** Pushes COUNT, BLOCK and NOACK: why an option is refused, or the options (BLOCK's time). */
const pushReadOptions = (
  args: Array<Key | Value>,
  options: (StreamReadOptions & { readonly noAck?: boolean }) | undefined
): string | Command.CommandOptions => {
  let blockMillis: number | undefined
  if (options?.count !== undefined) {
    const bad = badInteger(options.count, "count", 1)
    if (bad !== undefined) return bad
    args.push("COUNT", options.count)
  }
  if (options?.block !== undefined) {
    const bad = badInteger(options.block, "block", 0)
    if (bad !== undefined) return bad
    args.push("BLOCK", options.block)
    blockMillis = options.block
  }
  if (options?.noAck === true) args.push("NOACK")
  return blockMillis === undefined ? {} : { blockMillis }
}

/** Pushes `STREAMS key … id …`: how many streams. */
const pushStreams = (args: Array<Key | Value>, streams: StreamIds): number => {
  args.push("STREAMS")
  const keys: Array<Key> = []
  const ids: Array<string> = []
  if (Array.isArray(streams)) {
    for (const [key, id] of streams as ReadonlyArray<readonly [Key, string]>) {
      keys.push(key)
      ids.push(id)
    }
  } else {
    for (const key in streams) {
      keys.push(key)
      ids.push((streams as Record<string, string>)[key]!)
    }
  }
  args.push(...keys, ...ids)
  return keys.length
}

/**
 * XREAD or XREADGROUP: `args` (the name, and GROUP for XREADGROUP), then the read options and
 * the streams, with the keys' positions and the block time as routing facts.
 *
 * @since 0.2.0
 * @category constructors
 */
export const readCommand = <A>(
  args: Array<Key | Value>,
  streams: StreamIds,
  options: (StreamReadOptions & { readonly noAck?: boolean }) | undefined,
  decode: Command.Decoder<A>,
  readonly: boolean
): Command.Command<A> => {
  const name = String(args[0])
  const read = pushReadOptions(args, options)
  if (typeof read === "string") return Command.invalid(name, read)
  const first = args.length + 1
  const n = pushStreams(args, streams)
  return n === 0
    ? Command.invalid(name, "needs at least one stream")
    : Command.make(args, decode, { ...read, keys: [first, first + n - 1, 1], readonly })
}
