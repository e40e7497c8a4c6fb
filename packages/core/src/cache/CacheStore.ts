/**
 * The memory of the client-side cache: decoded values by command line, an index from each
 * Valkey key to the entries that read it (invalidation is per key), the reads in flight (one
 * per line: concurrent misses share it), LRU order, TTL and the entry and byte bounds.
 *
 * @since 0.3.0
 * @internal
 */

/** One cached reply: the decoded value and the keys whose change invalidates it. */
interface Entry {
  readonly value: unknown
  readonly keys: ReadonlyArray<string>
  readonly expiresAt: number
  readonly size: number
}

/**
 * A read on its way to the server. An invalidation of one of its keys (or a flush) that
 * arrives before its reply marks it stale: its reply is then given to its callers but not
 * kept, since it may be older than the invalidation.
 */
export interface Flight {
  readonly keys: ReadonlyArray<string>
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

export class CacheStore {
  readonly entries = new Map<string, Entry>()
  readonly byKey = new Map<string, Set<string>>()
  readonly flights = new Map<string, Flight>()
  readonly flightsByKey = new Map<string, Set<Flight>>()
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

  /** The value cached for `id`, counted as a hit, and moved to the young end of the LRU. */
  lookup(id: string): { readonly value: unknown } | undefined {
    const entry = this.entries.get(id)
    if (entry === undefined) return undefined
    if (this.ttlMillis > 0 && entry.expiresAt <= Date.now()) {
      this.remove(id, entry, undefined)
      return undefined
    }
    this.entries.delete(id)
    this.entries.set(id, entry)
    this.counters.hits++
    this.meter?.hit()
    return entry
  }

  /** Starts the one read of `id`; `stale` when it may not be kept whatever the reply. */
  begin(id: string, keys: ReadonlyArray<string>, stale: boolean): Flight {
    const flight: Flight = { keys, stale, waiters: [] }
    this.flights.set(id, flight)
    for (const key of keys) {
      const set = this.flightsByKey.get(key)
      if (set === undefined) this.flightsByKey.set(key, new Set([flight]))
      else set.add(flight)
    }
    this.counters.misses++
    this.meter?.miss()
    return flight
  }

  /** Ends the read of `id`; keeps its value unless it went stale meanwhile. */
  end(id: string, flight: Flight, value: { readonly value: unknown } | undefined): void {
    this.flights.delete(id)
    for (const key of flight.keys) {
      const set = this.flightsByKey.get(key)
      if (set?.delete(flight) && set.size === 0) this.flightsByKey.delete(key)
    }
    if (value !== undefined && !flight.stale) this.insert(id, flight.keys, value.value)
  }

  private insert(id: string, keys: ReadonlyArray<string>, value: unknown): void {
    const size = this.maxBytes > 0 ? sizeOf(value) + id.length * 2 : 0
    const entry: Entry = {
      value: freeze(value),
      keys,
      expiresAt: this.ttlMillis > 0 ? Date.now() + this.ttlMillis : 0,
      size
    }
    const old = this.entries.get(id)
    if (old !== undefined) this.remove(id, old, undefined)
    this.entries.set(id, entry)
    this.bytes += size
    for (const key of keys) {
      const set = this.byKey.get(key)
      if (set === undefined) this.byKey.set(key, new Set([id]))
      else set.add(id)
    }
    let evicted = 0
    while (this.entries.size > this.maxEntries || (this.maxBytes > 0 && this.bytes > this.maxBytes)) {
      const [oldest, victim] = this.entries.entries().next().value!
      this.remove(oldest, victim, undefined)
      evicted++
    }
    if (evicted > 0) {
      this.counters.evictions += evicted
      this.meter?.evicted(evicted)
    }
    this.meter?.entries(this.entries.size)
  }

  private remove(id: string, entry: Entry, except: string | undefined): void {
    this.entries.delete(id)
    this.bytes -= entry.size
    for (const key of entry.keys) {
      if (key === except) continue
      const set = this.byKey.get(key)
      if (set?.delete(id) && set.size === 0) this.byKey.delete(key)
    }
  }

  /** A key changed: its entries go, and its reads in flight are not kept. */
  invalidate(key: string): void {
    const flights = this.flightsByKey.get(key)
    if (flights !== undefined) for (const flight of flights) flight.stale = true
    const ids = this.byKey.get(key)
    if (ids === undefined) return
    this.byKey.delete(key)
    for (const id of ids) {
      const entry = this.entries.get(id)
      if (entry !== undefined) this.remove(id, entry, key)
    }
    this.counters.invalidations += ids.size
    this.meter?.invalidated(ids.size)
    this.meter?.entries(this.entries.size)
  }

  /** The keys `drop` picks are invalidated (a cluster's moved slots). */
  invalidateWhere(drop: (key: string) => boolean): void {
    for (const key of [...this.byKey.keys(), ...this.flightsByKey.keys()]) if (drop(key)) this.invalidate(key)
  }

  /** Everything goes, and no read in flight is kept (FLUSHALL, a lost connection). */
  flush(): void {
    for (const flight of this.flights.values()) flight.stale = true
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
