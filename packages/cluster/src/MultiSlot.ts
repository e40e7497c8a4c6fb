/**
 * Multi-key commands across slots. A `multi_shard` command (MGET, MSET, DEL, EXISTS, JSON.MGET…)
 * whose keys hash to several slots is split into one command per slot, and the parts' replies
 * are put back together by the command's response policy into the reply one node would have
 * given, which the original decoder then reads. Any other command whose keys span slots is
 * refused before sending with a `CrossSlotError`, as the server would refuse it.
 *
 * Duplicate keys always hash to the same slot, so they land in the same part, in their original
 * order: per-command semantics hold per part (`DEL a a` counts `a` once, `EXISTS a a` twice,
 * the last `MSET` value of a key wins), and the recombined reply equals a single node's.
 *
 * @since 0.1.0
 */
import {
  Command,
  type CommandError,
  CrossSlotError,
  type DecodeError,
  MultiSlotError,
  type MultiSlotPart,
  Reply,
  type RespArg,
  type RespValue
} from "@effect-valkey/core"
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"
import { combine } from "./Aggregate.ts"
import { slotOfArg } from "./Slot.ts"

export {
  /**
   * A command whose keys span slots and that cannot be split (MSETNX, RENAME, SUNIONSTORE, …). Core's
   * error, re-exported: it belongs to `CommandError`, so the `Valkey` service has the same type in
   * standalone and cluster mode, and one class per tag keeps `instanceof` and `catchTag` in agreement.
   *
   * @since 0.1.0
   * @category errors
   */
  CrossSlotError,
  /**
   * Some parts of a split command failed; `parts` lists every part with its slot, keys, outcome and
   * value or error. Core's error, re-exported (see `CrossSlotError`).
   *
   * @since 0.1.0
   * @category errors
   */
  MultiSlotError
}

/**
 * What happened to one part of a split command, as `MultiSlotError.parts` reports it. `keys`
 * is the keys' text (binary keys decoded as UTF-8); `positions` has their exact indexes.
 *
 * @since 0.1.0
 * @category models
 */
export type PartOutcome = typeof MultiSlotPart.Type

/**
 * One slot's share of a split command: the command to send to the slot's owner, its keys, and
 * their indexes in the original key order.
 *
 * @since 0.1.0
 * @category models
 */
export interface Part {
  readonly slot: number
  readonly command: Command.Command<unknown>
  readonly keys: ReadonlyArray<string | Uint8Array>
  readonly positions: ReadonlyArray<number>
}

const SPLITTABLE = new Set<Command.ResponsePolicy | undefined>([
  undefined,
  "agg_sum",
  "agg_min",
  "agg_max",
  "agg_logical_and",
  "agg_logical_or",
  "all_succeeded",
  "combine_arrays"
])

/**
 * Whether a command may be split by slot: it is `multi_shard`, has keys, and its response
 * policy says how to recombine the parts.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isSplittable = (command: Command.Command<unknown>): boolean =>
  command.request === "multi_shard" && command.firstKey >= 0 && SPLITTABLE.has(command.response)

const keyOf = (arg: RespArg): string | Uint8Array => (typeof arg === "number" ? String(arg) : arg)

/**
 * The slot of all the command's keys: `undefined` when it has none, a `CrossSlotError` when they
 * span slots. For routing a command that may be `multi_shard`, check `isSplittable` first;
 * `Slot.keySlot` is the allocation-free variant for the hot path.
 *
 * @since 0.1.0
 * @category slots
 */
export const sameSlot = (command: Command.Command<unknown>): Exit.Exit<number | undefined, CrossSlotError> => {
  const args = command.args
  const first = command.firstKey
  if (first < 0 || first >= args.length) return Exit.succeed(undefined)
  const slot = slotOfArg(args[first]!)
  const last = command.lastKey < args.length ? command.lastKey : args.length - 1
  const step = command.keyStep > 0 ? command.keyStep : 1
  for (let i = first + step; i <= last; i += step) {
    const other = slotOfArg(args[i]!)
    if (other !== slot) {
      const name = Command.name(command)
      return Exit.fail(
        new CrossSlotError({
          command: name,
          message:
            `${name}: keys in different slots (${describeKey(args[first]!)} in ${slot}, ` +
            `${describeKey(args[i]!)} in ${other}); put them in one slot with a hash tag, e.g. {tag}:key`
        })
      )
    }
  }
  return Exit.succeed(slot)
}

const describeKey = (arg: RespArg): string => {
  const key = textOf(arg)
  return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)
}

const utf8 = new TextDecoder()

const textOf = (key: RespArg): string =>
  typeof key === "string" ? key : typeof key === "number" ? String(key) : utf8.decode(key)

// --- decoders of the parts -------------------------------------------------------------------

/** A part of a values-in-key-order command: exactly one raw value per key. */
const valuesOf =
  (count: number): Command.Decoder<ReadonlyArray<RespValue>> =>
  (reply) => {
    if (Array.isArray(reply) && reply.length === count) return reply as ReadonlyArray<RespValue>
    throw new Command.DecodeFailure(
      `expected an array of ${count} values, got ${Array.isArray(reply) ? `${reply.length}` : typeof reply}`
    )
  }

const arrayValues: Command.Decoder<ReadonlyArray<RespValue>> = (reply) => {
  if (Array.isArray(reply)) return reply as ReadonlyArray<RespValue>
  if (reply instanceof Set) return Array.from(reply as ReadonlySet<RespValue>)
  throw new Command.DecodeFailure(`expected an array, got ${typeof reply}`)
}

const partDecoder = (command: Command.Command<unknown>, count: number): Command.Decoder<unknown> => {
  switch (command.response) {
    case undefined:
      return valuesOf(count)
    case "agg_sum":
    case "agg_min":
    case "agg_max":
      return Reply.integer
    case "agg_logical_and":
    case "agg_logical_or":
      return Reply.boolean
    case "combine_arrays":
      return arrayValues
    default:
      return Reply.raw
  }
}

// --- split -----------------------------------------------------------------------------------

interface Builder {
  readonly slot: number
  readonly args: Array<RespArg>
  readonly keys: Array<string | Uint8Array>
  readonly positions: Array<number>
}

/**
 * Splits a command by slot: one part per slot, in the order the slots first appear. Each part
 * is `prefix (the arguments before the first key) + its key groups (a key and its step
 * companions: MSET's value, JSON.MSET's path and value) + suffix (the arguments after the last
 * group, like JSON.MGET's path)`. A part's command decodes to its share of the reply (values in
 * key order, a count, OK…) for `recombine`. Keyless commands give no parts. One pass with a map
 * from slot to part: linear in the number of keys.
 *
 * @since 0.1.0
 * @category split
 */
export const split = (command: Command.Command<unknown>): Array<Part> => {
  const args = command.args
  const first = command.firstKey
  if (first < 0 || first >= args.length) return []
  const step = command.keyStep > 0 ? command.keyStep : 1
  const last = command.lastKey < args.length ? command.lastKey : args.length - 1
  const suffixStart = Math.min(last + step, args.length)
  const builders = new Map<number, Builder>()
  let ordinal = 0
  for (let k = first; k <= last; k += step, ordinal++) {
    const key = args[k]!
    const slot = slotOfArg(key)
    let builder = builders.get(slot)
    if (builder === undefined) {
      builder = { slot, args: args.slice(0, first), keys: [], positions: [] }
      builders.set(slot, builder)
    }
    const end = Math.min(k + step, args.length)
    for (let j = k; j < end; j++) builder.args.push(args[j]!)
    builder.keys.push(keyOf(key))
    builder.positions.push(ordinal)
  }
  const parts: Array<Part> = []
  for (const builder of builders.values()) {
    // A single part is the whole command: send its own argument list rather than a copy.
    const partArgs = builders.size === 1 ? args : builder.args
    if (builders.size > 1) for (let j = suffixStart; j < args.length; j++) builder.args.push(args[j]!)
    parts.push({
      slot: builder.slot,
      command: partCommand(command, partArgs, builder.keys.length, step),
      keys: builder.keys,
      positions: builder.positions
    })
  }
  return parts
}

const partCommand = (
  command: Command.Command<unknown>,
  args: ReadonlyArray<RespArg>,
  count: number,
  step: number
): Command.Command<unknown> => {
  const first = command.firstKey
  const part = Command.make(args, partDecoder(command, count), {
    keys: [first, first + (count - 1) * step, step],
    readonly: command.readonly,
    request: "multi_shard",
    ...(command.response !== undefined ? { response: command.response } : {})
  })
  return command.bytes ? (Command.bytes(part) as Command.Command<unknown>) : part
}

// --- recombine -------------------------------------------------------------------------------

/**
 * Puts the parts' outcomes (in the order of `parts`) back together. Values in key order go back
 * to their original positions; `agg_sum`/`agg_min`/`agg_max` and the logical aggregates
 * combine the parts' numbers; `all_succeeded` gives the first part's reply; `combine_arrays`
 * concatenates. The result is then read by the command's own decoder, so a command mapped with
 * `Command.map` (or a Schema) decodes the whole reply exactly as on one node; a mismatch there
 * is a `DecodeError`. If any part failed: a `MultiSlotError` listing every part. A part that died
 * or was interrupted (no typed error) makes the whole result die or be interrupted the same way.
 *
 * @since 0.1.0
 * @category split
 */
export const recombine = <A>(
  command: Command.Command<A>,
  parts: ReadonlyArray<Part>,
  outcomes: ReadonlyArray<Exit.Exit<unknown, CommandError>>
): Exit.Exit<A, MultiSlotError | DecodeError> => {
  if (parts.length !== outcomes.length) {
    return Exit.die(new Error(`recombine: ${parts.length} parts but ${outcomes.length} outcomes`))
  }
  let failures = 0
  for (const outcome of outcomes) {
    if (Exit.isSuccess(outcome)) continue
    if (Cause.findErrorOption(outcome.cause)._tag === "None") return outcome as Exit.Exit<never>
    failures++
  }
  if (failures > 0) return Exit.fail(multiSlotError(command, parts, outcomes, failures))
  const values = outcomes.map((outcome) => (outcome as Exit.Success<unknown>).value)
  let reply: RespValue
  switch (command.response) {
    case undefined: {
      let count = 0
      for (const part of parts) count += part.positions.length
      const merged = new Array<RespValue>(count)
      for (let p = 0; p < parts.length; p++) {
        const positions = parts[p]!.positions
        const partValues = values[p] as ReadonlyArray<RespValue>
        for (let j = 0; j < positions.length; j++) merged[positions[j]!] = partValues[j]!
      }
      reply = merged
      break
    }
    case "agg_sum":
    case "agg_min":
    case "agg_max":
    case "agg_logical_and":
    case "agg_logical_or":
    case "combine_arrays":
    case "all_succeeded":
      reply = combine(command.response, values) as RespValue
      break
    default:
      return Exit.fail(
        multiSlotError(command, parts, outcomes, 0, `response policy ${command.response} cannot recombine parts`)
      )
  }
  // Only a DecodeError can come out: the merged reply is never an error reply.
  return Command.settle(command, reply) as Exit.Exit<A, DecodeError>
}

const multiSlotError = (
  command: Command.Command<unknown>,
  parts: ReadonlyArray<Part>,
  outcomes: ReadonlyArray<Exit.Exit<unknown, CommandError>>,
  failures: number,
  reason?: string
): MultiSlotError => {
  const name = Command.name(command)
  const reports: Array<PartOutcome> = []
  const failed: Array<string> = []
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p]!
    const outcome = outcomes[p]!
    const base = { slot: part.slot, keys: part.keys.map(textOf), positions: [...part.positions] }
    if (Exit.isSuccess(outcome)) {
      reports.push({ ...base, outcome: "success", value: outcome.value })
    } else {
      const error = Cause.findErrorOption(outcome.cause)
      if (error._tag === "Some") {
        reports.push({ ...base, outcome: "failure", error: error.value })
        failed.push(`slot ${part.slot}: ${error.value.message}`)
      } else {
        reports.push({ ...base, outcome: "failure" })
      }
    }
  }
  const message =
    reason !== undefined
      ? `${name}: ${reason}`
      : `${name} was split over ${parts.length} slots and ${failures} part${failures === 1 ? "" : "s"} failed ` +
        `(${failed.join("; ")}); the other ${parts.length - failures} succeeded`
  return new MultiSlotError({ message, command: name, parts: reports })
}
