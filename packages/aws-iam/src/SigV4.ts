/**
 * AWS Signature Version 4 query signing (a presigned URL), as AWS documents it, with
 * `node:crypto` only. Enough for the IAM authentication token of ElastiCache and MemoryDB: a
 * GET with no body whose only signed header is `host`. Checked against the AWS SDK's own
 * signer (`@smithy/signature-v4`) on fixed inputs in this package's tests.
 *
 * @since 0.2.0
 */
import { createHash, createHmac } from "node:crypto"
import * as Redacted from "effect/Redacted"

/**
 * AWS credentials: an access key, its secret and, for temporary credentials (an assumed role,
 * an instance profile), a session token. The secrets are `Redacted`.
 *
 * @since 0.2.0
 * @category models
 */
export interface AwsCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly sessionToken?: Redacted.Redacted<string> | undefined
}

/**
 * What to presign: a GET of `https://<host><path>?<query>` for `service` in `region`, valid
 * for `expiresSeconds` from `date`.
 *
 * @since 0.2.0
 * @category models
 */
export interface PresignRequest {
  readonly host: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly service: string
  readonly region: string
  readonly date: Date
  readonly expiresSeconds: number
}

/** RFC 3986 encoding, as SigV4 wants it (`encodeURIComponent` leaves `!'()*` alone). */
const uriEncode = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

const sha256Hex = (data: string): string => createHash("sha256").update(data, "utf8").digest("hex")

const hmac = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data, "utf8").digest()

/** The payload hash of a request without a body: SHA-256 of the empty string. */
const EMPTY_PAYLOAD = sha256Hex("")

/** `20260102T030405Z` and `20260102`. */
const stamps = (date: Date): readonly [long: string, short: string] => {
  const long = date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "")
  return [long, long.slice(0, 8)]
}

/**
 * The canonical query string of a presigned GET, signature included (last): the query the
 * URL carries.
 *
 * @since 0.2.0
 * @category signing
 */
export const presignQuery = (request: PresignRequest, credentials: AwsCredentials): string => {
  const [longDate, shortDate] = stamps(request.date)
  const scope = `${shortDate}/${request.region}/${request.service}/aws4_request`
  const query: Record<string, string> = {
    ...request.query,
    "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
    "X-Amz-Credential": `${credentials.accessKeyId}/${scope}`,
    "X-Amz-Date": longDate,
    "X-Amz-Expires": String(request.expiresSeconds),
    "X-Amz-SignedHeaders": "host",
    ...(credentials.sessionToken !== undefined
      ? { "X-Amz-Security-Token": Redacted.value(credentials.sessionToken) }
      : {})
  }
  const canonicalQuery = Object.keys(query)
    .map((key) => [uriEncode(key), uriEncode(query[key]!)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join("&")
  const canonicalRequest = [
    "GET",
    request.path,
    canonicalQuery,
    `host:${request.host}`,
    "",
    "host",
    EMPTY_PAYLOAD
  ].join("\n")
  const stringToSign = ["AWS4-HMAC-SHA256", longDate, scope, sha256Hex(canonicalRequest)].join("\n")
  const key = hmac(
    hmac(hmac(hmac(`AWS4${Redacted.value(credentials.secretAccessKey)}`, shortDate), request.region), request.service),
    "aws4_request"
  )
  return `${canonicalQuery}&X-Amz-Signature=${hmac(key, stringToSign).toString("hex")}`
}
