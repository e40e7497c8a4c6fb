/**
 * The memory of the client-side cache: decoded values by command line, found through the
 * Valkey keys they read (invalidation is per key), the reads in flight (one per line:
 * concurrent misses share it), TTL and the entry and byte bounds.
 *
 * A line is found by its first key: `byKey` maps each key to the entries that read it, and a
 * lookup compares the few entries there argument by argument. No name is built per read: a
 * string made of the whole line, hashed on every lookup, cost more than the rest of a hit.
 *
 * Eviction is LRU by the second-chance (CLOCK) approximation: a hit only marks its entry used,
 * and the eviction gives used entries at the old end one more round, so a hit moves nothing.
 *
 * @since 0.3.0
 * @internal
 */
import type { Command } from "../Command.ts"
import type { RespArg } from "../resp/types.ts"

/** One line's place: its arguments (all strings or numbers), its reply form, its keys. */
interface Line {
  readonly args: ReadonlyArray<RespArg>
  /** `args[0]` and `args.length`, kept beside them: a hit on GET k never reads `args`. */
  readonly verb: RespArg
  readonly argc: number
  readonly bytes: boolean
  readonly keys: ReadonlyArray<string>
}

/** One cached reply: the decoded value. */
export interface Entry extends Line {
  readonly value: unknown
  readonly expiresAt: number
  readonly size: number
  /** Hit since the eviction last passed it. */
  used: boolean
}

/**
 * A read on its way to the server. An invalidation of one of its keys (or a flush) that
 * arrives before its reply marks it stale: its reply is then given to its callers but not
 * kept, since it may be older than the invalidation.
 */
export interface Flight extends Line {
  stale: boolean
  readonly waiters: Array<(exit: unknown) => void>
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

/** The line of `command`, found under its first key (at `skip`, so not compared again). */
const same = (line: Line, command: Command<unknown>, skip: number): boolean => {
  const b = command.args
  const n = b.length
  if (line.bytes !== command.bytes || line.verb !== b[0] || line.argc !== n) return false
  for (let i = 1; i < n; i++) if (i !== skip && line.args[i] !== b[i]) return false
  return true
}

/** Adds `item` to the list of `key`. */
const add = <T>(map: Map<string, Array<T>>, key: string, item: T): void => {
  const list = map.get(key)
  if (list === undefined) map.set(key, [item])
  else list.push(item)
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

export class CacheStore {
  /** Every entry, oldest first: the eviction's order. */
  readonly entries = new Set<Entry>()
  readonly byKey = new Map<string, Array<Entry>>()
  readonly flightsByKey = new Map<string, Array<Flight>>()
  readonly flights = new Set<Flight>()
  readonly counters: Counters = { hits: 0, misses: 0, evictions: 0, invalidations: 0 }
  bytes = 0
  private readonly maxEntries: number
  private readonly maxBytes: number
  private readonly ttlMillis: number
  private readonly meter: Meter | undefined

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
    const list = this.byKey.get(key)
    if (list === undefined) return undefined
    for (let i = 0; i < list.length; i++) {
      const entry = list[i]!
      if (!same(entry, command, at)) continue
      if (this.ttlMillis > 0 && entry.expiresAt <= Date.now()) {
        this.remove(entry, undefined)
        return undefined
      }
      entry.used = true
      this.counters.hits++
      this.meter?.hit()
      return entry
    }
    return undefined
  }

  /**
   * The read of `command`'s line in flight that a new read may share. Not a stale one: it
   * may have been sent before a write of this client that has returned since, so its reply
   * may be older than what the new read must see.
   */
  inFlight(key: string, at: number, command: Command<unknown>): Flight | undefined {
    const list = this.flightsByKey.get(key)
    if (list === undefined) return undefined
    for (let i = 0; i < list.length; i++) {
      const flight = list[i]!
      if (!flight.stale && same(flight, command, at)) return flight
    }
    return undefined
  }

  /** Starts the one read of a line; `stale` when it may not be kept whatever the reply. */
  begin(command: Command<unknown>, keys: ReadonlyArray<string>, stale: boolean): Flight {
    const flight: Flight = {
      args: command.args,
      verb: command.args[0]!,
      argc: command.args.length,
      bytes: command.bytes,
      keys,
      stale,
      waiters: []
    }
    this.flights.add(flight)
    for (const key of keys) add(this.flightsByKey, key, flight)
    this.counters.misses++
    this.meter?.miss()
    return flight
  }

  /** Ends a read; keeps its value unless it went stale meanwhile. */
  end(flight: Flight, value: { readonly value: unknown } | undefined): void {
    this.flights.delete(flight)
    for (const key of flight.keys) drop(this.flightsByKey, key, flight)
    if (value !== undefined && !flight.stale) this.insert(flight, value.value)
  }

  private insert(line: Line, value: unknown): void {
    const size = this.maxBytes > 0 ? sizeOf(value) + sizeOf(line.args) : 0
    const entry: Entry = {
      // A copy: kept long, the command's own array would teach V8 to allocate every command's
      // arguments (GET k of each later hit too) straight in the old generation ("pretenuring").
      args: line.args.slice(),
      verb: line.verb,
      argc: line.argc,
      bytes: line.bytes,
      keys: line.keys,
      value: freeze(value),
      expiresAt: this.ttlMillis > 0 ? Date.now() + this.ttlMillis : 0,
      size,
      used: false
    }
    this.entries.add(entry)
    this.bytes += size
    for (const key of entry.keys) add(this.byKey, key, entry)
    let evicted = 0
    while (this.entries.size > this.maxEntries || (this.maxBytes > 0 && this.bytes > this.maxBytes)) {
      this.evictOne()
      evicted++
    }
    if (evicted > 0) {
      this.counters.evictions += evicted
      this.meter?.evicted(evicted)
    }
    this.meter?.entries(this.entries.size)
  }

  /** From the old end: a used entry gets a second chance (unmarked, moved young), the first unused one goes. */
  private evictOne(): void {
    for (const entry of this.entries) {
      if (entry.used) {
        entry.used = false
        this.entries.delete(entry)
        this.entries.add(entry)
      } else {
        this.remove(entry, undefined)
        return
      }
    }
  }

  private remove(entry: Entry, except: string | undefined): void {
    this.entries.delete(entry)
    this.bytes -= entry.size
    for (const key of entry.keys) if (key !== except) drop(this.byKey, key, entry)
  }

  /** A key changed: its entries go, and its reads in flight are not kept. */
  invalidate(key: string): void {
    const flights = this.flightsByKey.get(key)
    if (flights !== undefined) for (const flight of flights) flight.stale = true
    const entries = this.byKey.get(key)
    if (entries === undefined) return
    this.byKey.delete(key)
    for (const entry of entries) this.remove(entry, key)
    this.counters.invalidations += entries.length
    this.meter?.invalidated(entries.length)
    this.meter?.entries(this.entries.size)
  }

  /** The keys `pick` picks are invalidated (a cluster's moved slots). */
  invalidateWhere(pick: (key: string) => boolean): void {
    for (const key of [...this.byKey.keys(), ...this.flightsByKey.keys()]) if (pick(key)) this.invalidate(key)
  }

  /** Everything goes, and no read in flight is kept (FLUSHALL, a lost connection). */
  flush(): void {
    for (const flight of this.flights) flight.stale = true
    const n = this.entries.size
    this.entries.clear()
    this.byKey.clear()
    this.bytes = 0
    if (n > 0) {
      this.counters.invalidations += n
      this.meter?.invalidated(n)
    }
    this.meter?.entries(0)
  }
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
