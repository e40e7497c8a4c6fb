/**
 * A document Schema whose values are not JSON as they are (a `Date`, a `bigint`, `Option`s, a
 * branded string, nested structs and arrays of them), with sample values and the JSON form the
 * Schema's JSON codec gives them: the live suites write these through `Json.set`/`Json.mset` and
 * read them back through `Json.get`/`Json.mget`.
 */
import { Option, Schema } from "effect"

export const AccountId = Schema.String.pipe(Schema.brand("AccountId"))

export const Entry = Schema.Struct({
  at: Schema.Date,
  amount: Schema.BigInt,
  note: Schema.Option(Schema.String)
})

export const Account = Schema.Struct({
  id: AccountId,
  opened: Schema.Date,
  balance: Schema.BigInt,
  closed: Schema.Option(Schema.Date),
  entries: Schema.Array(Entry),
  owner: Schema.Struct({ name: Schema.String, since: Schema.optionalKey(Schema.Date) })
})

export type Account = typeof Account.Type

/** A balance past 2^53, which a JSON number would round. */
export const bigBalance = 2n ** 64n + 1n

export const accounts: ReadonlyArray<Account> = [
  {
    id: AccountId.make("acc-1"),
    opened: new Date("2020-02-29T12:34:56.789Z"),
    balance: bigBalance,
    closed: Option.none(),
    entries: [
      { at: new Date("2020-03-01T00:00:00.000Z"), amount: -5n, note: Option.some("coffee") },
      { at: new Date("2021-01-01T00:00:00.000Z"), amount: 10n, note: Option.none() }
    ],
    owner: { name: "Ada", since: new Date("1843-01-01T00:00:00.000Z") }
  },
  {
    id: AccountId.make("acc-2"),
    opened: new Date(0),
    balance: 0n,
    closed: Option.some(new Date("2024-06-30T23:59:59.000Z")),
    entries: [],
    owner: { name: "Bob" }
  }
]

/** The JSON form of `accounts[0]` as the module stores it. */
export const firstAccountJson = {
  id: "acc-1",
  opened: "2020-02-29T12:34:56.789Z",
  balance: bigBalance.toString(),
  closed: { _tag: "None" },
  entries: [
    { at: "2020-03-01T00:00:00.000Z", amount: "-5", note: { _tag: "Some", value: "coffee" } },
    { at: "2021-01-01T00:00:00.000Z", amount: "10", note: { _tag: "None" } }
  ],
  owner: { name: "Ada", since: "1843-01-01T00:00:00.000Z" }
}
