/**
 * Geospatial commands: GEOADD, GEODIST, GEOHASH, GEOPOS, GEOSEARCH (by radius or box, from a
 * member or a point) and GEOSEARCHSTORE. Coordinates and distances are JS numbers under both
 * protocols (RESP2 sends them as strings, RESP3 coordinates as doubles).
 *
 * @since 0.1.0
 */
import { badFinite, badInteger, type Key, type Value } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"

const READ_KEY: Command.CommandOptions = { keys: 1, readonly: true }
const WRITE_KEY: Command.CommandOptions = { keys: 1 }

/**
 * A point: longitude -180…180, latitude -85.05112878…85.05112878 (the limits of the geohash
 * projection).
 *
 * @since 0.1.0
 * @category models
 */
export interface Coordinates {
  readonly longitude: number
  readonly latitude: number
}

/**
 * A distance unit: meters, kilometers, feet, miles.
 *
 * @since 0.1.0
 * @category models
 */
export type GeoUnit = "m" | "km" | "ft" | "mi"

/**
 * Members to add: a list of `{ member, longitude, latitude }` (the only form for binary
 * members), or a record from member to coordinates.
 *
 * @since 0.1.0
 * @category models
 */
export type GeoMembers =
  | ReadonlyArray<{ readonly member: Value; readonly longitude: number; readonly latitude: number }>
  | Readonly<Record<string, Coordinates>>

/**
 * Options of GEOADD: add only new members (`"NX"`) or only update existing ones (`"XX"`);
 * count changed members rather than added ones (`changed`).
 *
 * @since 0.1.0
 * @category models
 */
export interface GeoAddOptions {
  readonly condition?: "NX" | "XX"
  readonly changed?: boolean
}

/**
 * Where GEOSEARCH measures from: a member of the set, or a point.
 *
 * @since 0.1.0
 * @category models
 */
export type GeoOrigin = { readonly member: Value } | Coordinates

/**
 * The shape GEOSEARCH looks in: a circle (`radius`) or a box (`width` × `height`) around the
 * origin.
 *
 * @since 0.1.0
 * @category models
 */
export type GeoShape =
  | { readonly radius: number; readonly unit: GeoUnit }
  | { readonly width: number; readonly height: number; readonly unit: GeoUnit }

/**
 * Options of GEOSEARCH: order by distance (`"ASC"` nearest first, `"DESC"`), and at most
 * `count` results (with `any`, the first `count` found rather than the nearest).
 *
 * @since 0.1.0
 * @category models
 */
export interface GeoSearchOptions {
  readonly order?: "ASC" | "DESC"
  readonly count?: number
  readonly any?: boolean
}

/**
 * A GEOSEARCH result with everything the server knows of it: the distance from the origin (in
 * the search's unit), the 52-bit geohash score, and the coordinates.
 *
 * @since 0.1.0
 * @category models
 */
export interface GeoSearchResult {
  readonly member: string
  readonly distance: number
  readonly hash: number
  readonly coordinates: Coordinates
}

const MAX_LATITUDE = 85.05112878

const badCoordinates = (longitude: number, latitude: number): string | undefined =>
  typeof longitude !== "number" || !(longitude >= -180 && longitude <= 180)
    ? `longitude must be within -180…180, got ${longitude}`
    : typeof latitude !== "number" || !(latitude >= -MAX_LATITUDE && latitude <= MAX_LATITUDE)
      ? `latitude must be within -${MAX_LATITUDE}…${MAX_LATITUDE}, got ${latitude}`
      : undefined

const badUnit = (unit: GeoUnit): string | undefined =>
  unit === "m" || unit === "km" || unit === "ft" || unit === "mi"
    ? undefined
    : `unit must be m, km, ft or mi, got ${String(unit)}`

const coordinates: Command.Decoder<Coordinates> = (reply) => {
  const [longitude, latitude] = Reply.tuple(Reply.double, Reply.double)(reply)
  return { longitude, latitude }
}

const searchResult: Command.Decoder<GeoSearchResult> = (reply) => {
  // WITHDIST WITHHASH WITHCOORD come back in that order, whatever order they were asked in.
  const [member, distance, hash, coords] = Reply.tuple(Reply.string, Reply.double, Reply.integer, coordinates)(reply)
  return { member, distance, hash, coordinates: coords }
}

/**
 * GEOADD key [NX|XX] [CH] longitude latitude member [longitude latitude member …]: how many
 * members were added (with `changed`: added or moved).
 *
 * @since 0.1.0
 * @category geo
 */
export const geoadd = (key: Key, members: GeoMembers, options?: GeoAddOptions): Command.Command<number> => {
  const args: Array<Key | Value> = ["GEOADD", key]
  const condition = options?.condition
  if (condition !== undefined) {
    if (condition !== "NX" && condition !== "XX") {
      return Command.invalid("GEOADD", `condition must be NX or XX, got ${String(condition)}`)
    }
    args.push(condition)
  }
  if (options?.changed === true) args.push("CH")
  const before = args.length
  const entries: ReadonlyArray<{ readonly member: Value; readonly longitude: number; readonly latitude: number }> =
    Array.isArray(members)
      ? members
      : Object.entries(members as Record<string, Coordinates>).map(([member, at]) => ({ member, ...at }))
  for (const { latitude, longitude, member } of entries) {
    const bad = badCoordinates(longitude, latitude)
    if (bad !== undefined) return Command.invalid("GEOADD", `${String(member)}: ${bad}`)
    args.push(longitude, latitude, member)
  }
  return args.length === before
    ? Command.invalid("GEOADD", "needs at least one member")
    : Command.make(args, Reply.integer, WRITE_KEY)
}

/**
 * GEODIST key member1 member2 [M|KM|FT|MI]: the distance (default unit meters), or null when a
 * member is missing.
 *
 * @since 0.1.0
 * @category geo
 */
export const geodist = (key: Key, member1: Value, member2: Value, unit?: GeoUnit): Command.Command<number | null> => {
  if (unit === undefined) return Command.make(["GEODIST", key, member1, member2], Reply.nullableDouble, READ_KEY)
  const bad = badUnit(unit)
  return bad !== undefined
    ? Command.invalid("GEODIST", bad)
    : Command.make(["GEODIST", key, member1, member2, unit], Reply.nullableDouble, READ_KEY)
}

/**
 * GEOHASH key member [member …]: the 11-character geohash of each member, null for missing ones.
 *
 * @since 0.1.0
 * @category geo
 */
export const geohash = (key: Key, members: ReadonlyArray<Value>): Command.Command<Array<string | null>> =>
  members.length === 0
    ? Command.invalid("GEOHASH", "needs at least one member")
    : Command.make(["GEOHASH", key, ...members], Reply.array(Reply.nullableString), READ_KEY)

/**
 * GEOPOS key member [member …]: the coordinates of each member, null for missing ones.
 *
 * @since 0.1.0
 * @category geo
 */
export const geopos = (key: Key, members: ReadonlyArray<Value>): Command.Command<Array<Coordinates | null>> =>
  members.length === 0
    ? Command.invalid("GEOPOS", "needs at least one member")
    : Command.make(["GEOPOS", key, ...members], Reply.array(Reply.nullable(coordinates)), READ_KEY)

/** A polygon's vertices (at least 3), for GEOSEARCH BYPOLYGON (no origin). */
type Polygon = { readonly polygon: ReadonlyArray<Coordinates> }

/**
 * Appends FROMMEMBER|FROMLONLAT, BYRADIUS|BYBOX (or BYPOLYGON, which has no origin), ASC|DESC
 * and COUNT; or says why not.
 */
const pushSearch = (
  args: Array<Key | Value>,
  from: GeoOrigin | undefined,
  by: GeoShape | Polygon,
  options: GeoSearchOptions | undefined
): string | undefined => {
  if (from !== undefined && "member" in from) args.push("FROMMEMBER", from.member)
  else if (from !== undefined) {
    const bad = badCoordinates(from.longitude, from.latitude)
    if (bad !== undefined) return bad
    args.push("FROMLONLAT", from.longitude, from.latitude)
  }
  if ("polygon" in by) {
    if (by.polygon.length < 3) return `a polygon needs at least 3 vertices, got ${by.polygon.length}`
    args.push("BYPOLYGON", by.polygon.length)
    for (const vertex of by.polygon) {
      const bad = badCoordinates(vertex.longitude, vertex.latitude)
      if (bad !== undefined) return bad
      args.push(vertex.longitude, vertex.latitude)
    }
    return pushOrder(args, options)
  }
  const badShape = badUnit(by.unit)
  if (badShape !== undefined) return badShape
  if ("radius" in by) {
    const bad = badFinite(by.radius, "radius") ?? (by.radius < 0 ? "radius must be >= 0" : undefined)
    if (bad !== undefined) return bad
    args.push("BYRADIUS", by.radius, by.unit)
  } else {
    const bad =
      badFinite(by.width, "width") ??
      badFinite(by.height, "height") ??
      (by.width < 0 || by.height < 0 ? "width and height must be >= 0" : undefined)
    if (bad !== undefined) return bad
    args.push("BYBOX", by.width, by.height, by.unit)
  }
  return pushOrder(args, options)
}

/** Appends ASC|DESC and COUNT [ANY]; or says why not. */
const pushOrder = (args: Array<Key | Value>, options: GeoSearchOptions | undefined): string | undefined => {
  if (options === undefined) return undefined
  if (options.order !== undefined) {
    if (options.order !== "ASC" && options.order !== "DESC")
      return `order must be ASC or DESC, got ${String(options.order)}`
    args.push(options.order)
  }
  if (options.count !== undefined) {
    const bad = badInteger(options.count, "count", 1)
    if (bad !== undefined) return bad
    args.push("COUNT", options.count)
    if (options.any === true) args.push("ANY")
  } else if (options.any === true) {
    return "any needs count"
  }
  return undefined
}

const members = Reply.array(Reply.string)

/** GEOSEARCH key, the origin, shape and options, then `extra` (the WITH… flags). */
const search = <A>(
  key: Key,
  from: GeoOrigin | undefined,
  by: GeoShape | Polygon,
  options: GeoSearchOptions | undefined,
  extra: ReadonlyArray<string>,
  decode: Command.Decoder<A>
): Command.Command<A> => {
  const args: Array<Key | Value> = ["GEOSEARCH", key]
  const bad = pushSearch(args, from, by, options)
  if (bad !== undefined) return Command.invalid("GEOSEARCH", bad)
  args.push(...extra)
  return Command.make(args, decode, READ_KEY)
}

/**
 * GEOSEARCH key FROMMEMBER member|FROMLONLAT lon lat BYRADIUS r unit|BYBOX w h unit [ASC|DESC]
 * [COUNT n [ANY]]: the members within the shape.
 *
 * @since 0.1.0
 * @category geo
 */
export const geosearch = (
  key: Key,
  from: GeoOrigin,
  by: GeoShape,
  options?: GeoSearchOptions
): Command.Command<Array<string>> => search(key, from, by, options, [], members)

/**
 * GEOSEARCH key BYPOLYGON n lon lat … [ASC|DESC] [COUNT n [ANY]] (Valkey 9.0+): the members
 * inside the polygon whose vertices are given in order (at least 3); ordered by their distance
 * from the polygon's centre.
 *
 * @since 0.2.0
 * @category geo
 */
export const geosearchPolygon = (
  key: Key,
  polygon: ReadonlyArray<Coordinates>,
  options?: GeoSearchOptions
): Command.Command<Array<string>> => search(key, undefined, { polygon }, options, [], members)

/**
 * GEOSEARCH … WITHCOORD WITHDIST WITHHASH: the members within the shape, each with its
 * distance, geohash and coordinates.
 *
 * @since 0.1.0
 * @category geo
 */
export const geosearchWithInfo = (
  key: Key,
  from: GeoOrigin,
  by: GeoShape,
  options?: GeoSearchOptions
): Command.Command<Array<GeoSearchResult>> =>
  search(key, from, by, options, ["WITHCOORD", "WITHDIST", "WITHHASH"], Reply.array(searchResult))

/**
 * GEOSEARCHSTORE destination source … [STOREDIST]: stores the members found in `destination`
 * (with `storeDist`, scored by their distance instead of their geohash); how many.
 *
 * @since 0.1.0
 * @category geo
 */
export const geosearchstore = (
  destination: Key,
  source: Key,
  from: GeoOrigin,
  by: GeoShape,
  options?: GeoSearchOptions & { readonly storeDist?: boolean }
): Command.Command<number> => {
  const args: Array<Key | Value> = ["GEOSEARCHSTORE", destination, source]
  const bad = pushSearch(args, from, by, options)
  if (bad !== undefined) return Command.invalid("GEOSEARCHSTORE", bad)
  if (options?.storeDist === true) args.push("STOREDIST")
  return Command.make(args, Reply.integer, { keys: [1, 2, 1] })
}
