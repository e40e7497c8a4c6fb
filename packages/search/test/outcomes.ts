/**
 * Helpers for running the recorded cases through a client: which cases are sent and which the
 * package refuses, the outcome each recorded reply decodes to on its own (recorded.test.ts pins
 * those to explicit values), and outcomes in a comparable form.
 */
import { Command } from "@effect-valkey/core"
import { Exit, Result } from "effect"
import { calls, decodeReply, type Record, records } from "./fixtures.ts"

/** Every case name, in recorded order. */
export const names: ReadonlyArray<string> = [...new Set(records.map((r) => r.name))]

export const recordOf = (name: string, protocol: 2 | 3): Record =>
  records.find((r) => r.name === name && r.protocol === protocol)!

/** Cases the package refuses before sending (the server refused them too). */
export const refused: ReadonlyArray<string> = names.filter((name) => calls[name]!().invalid !== undefined)

/** Cases the package sends. */
export const sent: ReadonlyArray<string> = names.filter((name) => !refused.includes(name))

/** An outcome as plain data: bytes as hex, errors by tag, message and (reply errors) code. */
export type Outcome =
  | { readonly value: unknown }
  | { readonly error: string; readonly message: string; readonly code?: string }

const plain = (value: unknown): unknown => {
  if (value instanceof Uint8Array) return `bytes:${Buffer.from(value).toString("hex")}`
  if (Array.isArray(value)) return value.map(plain)
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]))
  }
  return value
}

/** Any typed failure of a client call (command errors, a batch's TransactionAbortedError). */
interface Failure {
  readonly _tag: string
  readonly message: string
}

const ofError = (error: Failure): Outcome => ({
  error: error._tag,
  message: error.message,
  ...(error._tag === "ReplyError" && "code" in error ? { code: String(error.code) } : {})
})

export const ofExit = (exit: Exit.Exit<unknown, Failure>): Outcome => {
  if (Exit.isSuccess(exit)) return { value: plain(exit.value) }
  const error = Exit.findErrorOption(exit)
  return error._tag === "Some" ? ofError(error.value) : { error: "defect", message: String(exit.cause) }
}

export const ofResult = (result: Result.Result<unknown, Failure>): Outcome =>
  Result.isSuccess(result) ? { value: plain(result.success) } : ofError(result.failure)

/** What the recorded reply of `name` decodes to with no client involved. */
export const offline = (name: string, protocol: 2 | 3): Outcome => {
  const command = calls[name]!()
  return ofExit(Command.settle(command, decodeReply(command, recordOf(name, protocol).reply)))
}
