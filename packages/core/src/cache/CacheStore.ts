/**
 * The memory of the client-side cache: decoded values by command line, found through the
 * Valkey keys they read (invalidation is per key), the reads in flight (one per line:
 * concurrent misses share it), TTL and the entry and byte bounds.
 *
 * A line is found by its first key: a map from that key to the line, lines of the same key
 * chained (GET k and HGET k f), compared by name, length and the other arguments. No name is
 * built per read: a string made of the whole line, hashed on every lookup, cost more than the
 * rest of a hit. A hit touches as few objects as it can, since on a busy machine each one the
 * CPU cache no longer holds costs more than the rest: the map, the key, the entry. A line of
 * more keys (MGET) is also listed under its other keys, for their invalidations.
 *
 * Eviction is LRU by the second-chance approximation: a hit only marks its entry used, and
 * the eviction gives used entries at the old end one more round, so a hit moves nothing. The
 * order is an array with holes (an entry knows its slot), compacted once mostly holes.
 *
 * @since 0.3.0
 * @internal
 */
import type { Command } from "../Command.ts"
import type { RespArg } from "../resp/types.ts"

/** One line's place: its name, length, first key and reply form, and what else to compare. */
abstract class Line<Next> {
  readonly verb: RespArg
  readonly argc: number
  /** Where its first key is in its arguments. */
  readonly at: number
  readonly bytes: boolean
  readonly key: string
  /** Its arguments, or `undefined` when name and first key are all of them. */
  readonly args: ReadonlyArray<RespArg> | undefined
  /** Its keys other than the first, distinct, or `undefined` for one key. */
  readonly others: ReadonlyArray<string> | undefined
  /** The next line of the same first key in its index. */
  next: Next | undefined = undefined

  constructor(
    verb: RespArg,
    argc: number,
    at: number,
    bytes: boolean,
    key: string,
    args: ReadonlyArray<RespArg> | undefined,
    others: ReadonlyArray<string> | undefined
  ) {
    this.verb = verb
    this.argc = argc
    this.at = at
    this.bytes = bytes
    this.key = key
    this.args = args
    this.others = others
  }
}

/**
 * A read on its way to the server. An invalidation of one of its keys (or a flush) that
 * arrives before its reply makes it stale: its reply is then given to its callers but not
 * kept, since it may be older than the invalidation. A stale read is no longer indexed.
 */
export class Flight extends Line<Flight> {
  stale: boolean
  /** The store's flush count when it started: a flush since makes it stale. */
  readonly epoch: number
  readonly waiters: Array<(exit: unknown) => void> = []

  constructor(
    command: Command<unknown>,
    key: string,
    others: ReadonlyArray<string> | undefined,
    stale: boolean,
    epoch: number
  ) {
    // The command's own arguments, not kept past the reply.
    const args = command.args
    super(args[0]!, args.length, command.firstKey, command.bytes, key, args, others)
    this.stale = stale
    this.epoch = epoch
  }
}

/** One cached reply: the decoded value, and the line of the read that filled it. */
export class Entry extends Line<Entry> {
  readonly value: unknown
  readonly expiresAt: number
  readonly size: number
  /** Hit since the eviction last passed it. */
  used = false
  /** Its place in the eviction order, -1 once removed. */
  slot = -1

  constructor(line: Flight, value: unknown, expiresAt: number, size: number) {
    // A copy: kept long, the command's own array would teach V8 to allocate every command's
    // arguments (GET k of each later hit too) straight in the old generation ("pretenuring").
    const args = line.argc === 2 && line.at === 1 ? undefined : line.args!.slice()
    super(line.verb, line.argc, line.at, line.bytes, line.key, args, line.others)
    this.value = value
    this.expiresAt = expiresAt
    this.size = size
  }
}

/** What the store counts; `ClientCache.stats` reads it. */
export interface Counters {
  hits: number
  misses: number
  evictions: number
  invalidations: number
}

/** Hooks for the Effect metrics (only when metrics are on). */
export interface Meter {
  readonly hit: () => void
  readonly miss: () => void
  readonly evicted: (n: number) => void
  readonly invalidated: (n: number) => void
  readonly entries: (n: number) => void
}

/** `command` is `line`'s line; its first key (at `at`) matched already. */
const same = (line: Line<unknown>, command: Command<unknown>, at: number): boolean => {
  const b = command.args
  const n = b.length
  if (line.verb !== b[0] || line.argc !== n || line.at !== at || line.bytes !== command.bytes) return false
  const a = line.args
  if (a !== undefined) for (let i = 1; i < n; i++) if (i !== at && a[i] !== b[i]) return false
  return true
}

/** Removes `item` from the list of `key`, and the list once empty. */
const drop = <T>(map: Map<string, Array<T>>, key: string, item: T): void => {
  const list = map.get(key)
  if (list === undefined) return
  const i = list.indexOf(item)
  if (i === -1) return
  if (list.length === 1) map.delete(key)
  else list.splice(i, 1)
}

/** Lines by first key (chained), and by their other keys. */
class Index<T extends Line<T>> {
  private readonly first = new Map<string, T>()
  private readonly other = new Map<string, Array<T>>()

  find(key: string, at: number, command: Command<unknown>): T | undefined {
    let line = this.first.get(key)
    while (line !== undefined && !same(line, command, at)) line = line.next
    return line
  }

  add(line: T): void {
    const head = this.first.get(line.key)
    // Behind the head, so the map is written only for a new key.
    if (head === undefined) this.first.set(line.key, line)
    else {
      line.next = head.next
      head.next = line
    }
    const others = line.others
    if (others !== undefined) {
      for (const key of others) {
        const list = this.other.get(key)
        if (list === undefined) this.other.set(key, [line])
        else list.push(line)
      }
    }
  }

  delete(line: T): void {
    this.unchain(line)
    const others = line.others
    if (others !== undefined) for (const key of others) drop(this.other, key, line)
  }

  /** Removes the lines that read `key` and hands each to `visit`. */
  take(key: string, visit: (line: T) => void): void {
    let line = this.first.get(key)
    if (line !== undefined) {
      this.first.delete(key)
      while (line !== undefined) {
        const next: T | undefined = line.next
        line.next = undefined
        const others = line.others
        if (others !== undefined) for (const k of others) drop(this.other, k, line)
        visit(line)
        line = next
      }
    }
    const list = this.other.get(key)
    if (list !== undefined) {
      this.other.delete(key)
      for (const other of list) {
        this.unchain(other)
        for (const k of other.others!) if (k !== key) drop(this.other, k, other)
        visit(other)
      }
    }
  }

  keys(): Array<string> {
    return [...this.first.keys(), ...this.other.keys()]
  }

  clear(): void {
    this.first.clear()
    this.other.clear()
  }

  /** Out of its first key's chain. */
  private unchain(line: T): void {
    const head = this.first.get(line.key)
    if (head === line) {
      if (line.next === undefined) this.first.delete(line.key)
      else this.first.set(line.key, line.next)
    } else if (head !== undefined) {
      let before = head
      while (before.next !== undefined && before.next !== line) before = before.next
      if (before.next === line) before.next = line.next
    }
    line.next = undefined
  }
}

export class CacheStore {
  private readonly index = new Index<Entry>()
  private readonly flights = new Index<Flight>()
  /** Every entry, oldest first, with holes: the eviction's order. */
  private readonly order: Array<Entry | undefined> = []
  /** Slots before this one are holes. */
  private start = 0
  /** How many times the store was flushed: reads begun before a flush are stale. */
  private epoch = 0
  size = 0
  bytes = 0
  readonly counters: Counters = { hits: 0, misses: 0, evictions: 0, invalidations: 0 }
  private readonly maxEntries: number
  private readonly maxBytes: number
  private readonly ttlMillis: number
  private readonly meter: Meter | undefined
  private readonly removeEntry = (entry: Entry): void => this.remove(entry)
  private readonly staleFlight = (flight: Flight): void => {
    flight.stale = true
  }

  constructor(limits: { maxEntries: number; maxBytes: number; ttlMillis: number }, meter: Meter | undefined) {
    this.maxEntries = limits.maxEntries
    this.maxBytes = limits.maxBytes
    this.ttlMillis = limits.ttlMillis
    this.meter = meter
  }

  /**
   * The entry of `command`'s line, whose first key `key` is at `at` in its arguments, counted
   * as a hit and marked used.
   */
  lookup(key: string, at: number, command: Command<unknown>): Entry | undefined {
    const entry = this.index.find(key, at, command)
    if (entry === undefined) return undefined
    if (this.ttlMillis > 0 && entry.expiresAt <= Date.now()) {
      this.index.delete(entry)
      this.remove(entry)
      return undefined
    }
    entry.used = true
    this.counters.hits++
    this.meter?.hit()
    return entry
  }

  /**
   * The read of `command`'s line in flight that a new read may share. Not a stale one: it
   * may have been sent before a write of this client that has returned since, so its reply
   * may be older than what the new read must see.
   */
  inFlight(key: string, at: number, command: Command<unknown>): Flight | undefined {
    return this.flights.find(key, at, command)
  }

  /**
   * Starts the one read of a line whose first key is `key` and whose keys are `keys`
   * (`undefined` when `key` is its only one); `stale` when it may not be kept whatever the reply.
   */
  begin(command: Command<unknown>, key: string, keys: ReadonlyArray<string> | undefined, stale: boolean): Flight {
    const flight = new Flight(command, key, othersOf(key, keys), stale, this.epoch)
    if (!stale) this.flights.add(flight)
    this.counters.misses++
    this.meter?.miss()
    return flight
  }

  /** Ends a read; keeps its value unless it went stale meanwhile. */
  end(flight: Flight, value: { readonly value: unknown } | undefined): void {
    if (flight.stale || flight.epoch !== this.epoch) return
    this.flights.delete(flight)
    if (value !== undefined) this.insert(flight, value.value)
  }

  private insert(line: Flight, value: unknown): void {
    const size = this.maxBytes > 0 ? sizeOf(value) + sizeOf(line.args) : 0
    const entry = new Entry(line, freeze(value), this.ttlMillis > 0 ? Date.now() + this.ttlMillis : 0, size)
    this.index.add(entry)
    entry.slot = this.order.length
    this.order.push(entry)
    this.size++
    this.bytes += size
    let evicted = 0
    while (this.size > this.maxEntries || (this.maxBytes > 0 && this.bytes > this.maxBytes)) {
      this.evictOne()
      evicted++
    }
    if (evicted > 0) {
      this.counters.evictions += evicted
      this.meter?.evicted(evicted)
    }
    this.meter?.entries(this.size)
  }

  /** From the old end: a used entry gets a second chance (unmarked, moved young), the first unused one goes. */
  private evictOne(): void {
    const order = this.order
    for (;;) {
      const i = this.start++
      const entry = order[i]
      if (entry === undefined) continue
      order[i] = undefined
      if (entry.used) {
        entry.used = false
        entry.slot = order.length
        order.push(entry)
        continue
      }
      entry.slot = -1
      this.index.delete(entry)
      this.remove(entry)
      return
    }
  }

  /** Out of the order and the counts (the caller took it out of the index). */
  private remove(entry: Entry): void {
    const order = this.order
    if (entry.slot >= 0) order[entry.slot] = undefined
    entry.slot = -1
    this.size--
    this.bytes -= entry.size
    // Mostly holes: the live entries move to the front, in order.
    if (order.length - this.size > 64 + this.size) {
      let to = 0
      for (let from = this.start; from < order.length; from++) {
        const live = order[from]
        if (live === undefined) continue
        live.slot = to
        order[to++] = live
      }
      order.length = to
      this.start = 0
    }
  }

  /** A key changed: its entries go, and its reads in flight are not kept. */
  invalidate(key: string): void {
    this.flights.take(key, this.staleFlight)
    const before = this.size
    this.index.take(key, this.removeEntry)
    const n = before - this.size
    if (n === 0) return
    this.counters.invalidations += n
    this.meter?.invalidated(n)
    this.meter?.entries(this.size)
  }

  /** The keys `pick` picks are invalidated (a cluster's moved slots). */
  invalidateWhere(pick: (key: string) => boolean): void {
    for (const key of [...this.index.keys(), ...this.flights.keys()]) if (pick(key)) this.invalidate(key)
  }

  /** Everything goes, and no read in flight is kept (FLUSHALL, a lost connection). */
  flush(): void {
    this.epoch++
    this.flights.clear()
    const n = this.size
    this.index.clear()
    for (let i = this.start; i < this.order.length; i++) {
      const entry = this.order[i]
      if (entry !== undefined) entry.slot = -1
    }
    this.order.length = 0
    this.start = 0
    this.size = 0
    this.bytes = 0
    if (n > 0) {
      this.counters.invalidations += n
      this.meter?.invalidated(n)
    }
    this.meter?.entries(0)
  }
}

/** `keys` without `key` and repeats, or `undefined` when nothing is left. */
const othersOf = (key: string, keys: ReadonlyArray<string> | undefined): ReadonlyArray<string> | undefined => {
  if (keys === undefined) return undefined
  let others: Array<string> | undefined
  for (const k of keys) {
    if (k === key || others?.includes(k)) continue
    ;(others ??= []).push(k)
  }
  return others
}

/** A rough size in bytes of a decoded value (UTF-16 strings), for `maxBytes`. */
const sizeOf = (value: unknown): number => {
  if (typeof value === "string") return 16 + value.length * 2
  if (value instanceof Uint8Array) return 16 + value.byteLength
  if (value === null || typeof value !== "object") return 8
  let total = 16
  if (Array.isArray(value) || value instanceof Set) for (const v of value) total += sizeOf(v)
  else if (value instanceof Map) for (const [k, v] of value) total += sizeOf(k) + sizeOf(v)
  else for (const k in value) total += sizeOf(k) + sizeOf((value as Record<string, unknown>)[k])
  return total
}

/**
 * Arrays and plain objects are frozen, so a caller that mutates a shared value fails loudly
 * instead of changing what later hits see. Sets and Maps cannot be frozen: documented.
 */
const freeze = (value: unknown): unknown => {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return value
  if (Array.isArray(value)) {
    for (const v of value) freeze(v)
    return Object.freeze(value)
  }
  if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
    for (const k in value) freeze((value as Record<string, unknown>)[k])
    return Object.freeze(value)
  }
  return value
}
