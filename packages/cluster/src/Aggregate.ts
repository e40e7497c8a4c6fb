/**
 * How the replies of a command sent to several nodes become one value, by the command's
 * response policy (the server's COMMAND tips vocabulary).
 *
 * @since 0.1.0
 */
import type { Command, CommandError } from "@effect-valkey/core"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"

const errorOf = (exit: Exit.Exit<unknown, CommandError>) => Option.getOrUndefined(Exit.findErrorOption(exit))

/**
 * Combines per-node outcomes. Policies that would change the reply's type (`per_node`) are
 * not applied implicitly: such commands go to one node unless an explicit route asks for all.
 *
 * @since 0.1.0
 * @category combinators
 */
export const aggregate = (
  policy: Command.ResponsePolicy | undefined,
  exits: ReadonlyArray<Exit.Exit<unknown, CommandError>>
): Exit.Exit<unknown, CommandError> => {
  if (policy === "one_succeeded") {
    return exits.find(Exit.isSuccess) ?? exits[exits.length - 1]!
  }
  const failed = exits.find(Exit.isFailure)
  if (failed !== undefined) return Exit.fail(errorOf(failed)!)
  const values = exits.map((exit) => (exit as Exit.Success<unknown>).value)
  return Exit.succeed(policy === undefined ? byShape(values) : combine(policy, values))
}

/**
 * The successful values of several nodes (or of a split command's slot parts) as one, by a
 * response policy: sums, minimum, maximum, logical and/or (element by element for arrays),
 * concatenated arrays; any other policy keeps the first value. The one place policies combine.
 *
 * @since 0.2.0
 * @category combinators
 */
export const combine = (policy: Command.ResponsePolicy, values: ReadonlyArray<unknown>): unknown => {
  switch (policy) {
    case "agg_sum":
      return values.reduce((sum: number, v) => sum + (v as number), 0)
    case "agg_min":
      return Math.min(...(values as Array<number>))
    case "agg_max":
      return Math.max(...(values as Array<number>))
    case "agg_logical_and":
      return elementwise(values, (a, b) => a && b)
    case "agg_logical_or":
      return elementwise(values, (a, b) => a || b)
    case "combine_arrays":
      return (values as Array<Array<unknown>>).flat()
    default:
      return values[0]
  }
}

/**
 * No response policy (KEYS in the server's COMMAND tips): the documented default aggregates by
 * the reply's shape: arrays are concatenated, maps merged, anything else is the first reply.
 */
const byShape = (values: ReadonlyArray<unknown>): unknown => {
  if (values.every(Array.isArray)) return (values as Array<Array<unknown>>).flat()
  if (values.every((v) => v instanceof Map)) {
    return new Map((values as Array<Map<unknown, unknown>>).flatMap((m) => [...m]))
  }
  return values[0]
}

/** Booleans combine directly; arrays of booleans (SCRIPT EXISTS) combine element by element. */
const elementwise = (values: ReadonlyArray<unknown>, f: (a: boolean, b: boolean) => boolean): unknown => {
  if (Array.isArray(values[0])) {
    return (values[0] as Array<boolean>).map((_, i) =>
      values.slice(1).reduce((acc: boolean, v) => f(acc, (v as Array<boolean>)[i]!), (values[0] as Array<boolean>)[i]!)
    )
  }
  return values.slice(1).reduce((acc: boolean, v) => f(acc, v as boolean), values[0] as boolean)
}
