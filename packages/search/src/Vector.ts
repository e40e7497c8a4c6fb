/**
 * Vectors as the search module stores and expects them: FLOAT32 elements, little-endian, packed
 * back to back. Written and read through a `DataView`, so the bytes are the same on any host.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"

/**
 * Anything a vector can be given as: a `Float32Array`, a plain array of numbers, or bytes
 * already in the module's format.
 *
 * @since 0.1.0
 * @category models
 */
export type VectorInput = Float32Array | ReadonlyArray<number> | Uint8Array

/**
 * The little-endian FLOAT32 bytes of a vector (4 bytes per element), as HSET and PARAMS take
 * them. Bytes are passed through unchanged.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toBytes = (vector: VectorInput): Uint8Array => {
  if (vector instanceof Uint8Array) return vector
  const out = new Uint8Array(vector.length * 4)
  const view = new DataView(out.buffer)
  for (let i = 0; i < vector.length; i++) view.setFloat32(i * 4, vector[i]!, true)
  return out
}

/**
 * Bytes that are not a FLOAT32 vector: their length is not a multiple of 4.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidVectorError extends Schema.TaggedError<InvalidVectorError>()("InvalidVectorError", {
  message: Schema.String,
  length: Schema.Number
}) {}

const read = (bytes: Uint8Array): Float32Array => {
  const out = new Float32Array(bytes.length / 4)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true)
  return out
}

const invalid = (bytes: Uint8Array) =>
  new InvalidVectorError({
    message: `a FLOAT32 vector has a multiple of 4 bytes, got ${bytes.length}`,
    length: bytes.length
  })

/**
 * The vector held in little-endian FLOAT32 bytes (a vector field of a search result), or an
 * `InvalidVectorError` when the length is not a multiple of 4.
 *
 * @since 0.1.0
 * @category conversions
 */
export const fromBytes = (bytes: Uint8Array): Result.Result<Float32Array, InvalidVectorError> =>
  bytes.length % 4 === 0 ? Result.succeed(read(bytes)) : Result.fail(invalid(bytes))

/**
 * `fromBytes` for bytes known to be a vector (a vector field the module returned): throws the
 * `InvalidVectorError` otherwise.
 *
 * @since 0.1.0
 * @category conversions
 */
export const fromBytesUnsafe = (bytes: Uint8Array): Float32Array => {
  if (bytes.length % 4 !== 0) throw invalid(bytes)
  return read(bytes)
}

/**
 * The number of elements of a vector input (bytes count 4 per element).
 *
 * @since 0.1.0
 * @category getters
 */
export const dimensions = (vector: VectorInput): number =>
  vector instanceof Uint8Array ? vector.length / 4 : vector.length
