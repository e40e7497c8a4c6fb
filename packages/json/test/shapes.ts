/**
 * Replies of valkey-json 1.0.2 on Valkey 8.0.1 that the recordings in `shared/fixtures` do not
 * hold (missing keys and paths for every read, matches of every type, errors of the writes),
 * captured from the live module under RESP2 and RESP3. The unit suite decodes the captured bytes;
 * the live suite runs the same calls against the module and checks the same outcomes, so a
 * module that answers differently fails there first.
 *
 * Every case starts from `document` at the key `doc`, the string `"str"` at `plain`, and no key
 * `nokey`.
 */
import type { Command, Key } from "@effect-valkey/core"
import { Json } from "../src/index.ts"
import type { Expected } from "./fixtures.ts"

/** The keys a case works on. */
export interface ShapeKeys {
  readonly doc: Key
  readonly plain: Key
  readonly none: Key
}

export interface Shape {
  readonly command: (keys: ShapeKeys) => Command.Command<unknown>
  readonly expected: Expected
  /** The command as captured, with the keys `doc`, `plain`, `nokey`. */
  readonly args: ReadonlyArray<string>
  /** The reply bytes (latin1 text) as the module sent them, per protocol. */
  readonly replies: { readonly 2: string; readonly 3: string }
}

/** The document at `doc`: one member of each JSON type, an empty array, a number past 2^53. */
export const document = { s: "x", f: 1.5, b: true, n: null, o: { k: false }, a: [1], e: [], big: 1e300 }

export const capturedKeys: ShapeKeys = { doc: "doc", plain: "plain", none: "nokey" }

const value = (v: unknown): Expected => ({ value: v })
const replyError = (code: string): Expected => ({ error: "ReplyError", code })

export const shapes: Record<string, Shape> = {
  resp_missing_key_jsonpath: {
    command: (k) => Json.resp(k.none, "$"),
    expected: value(null),
    args: ["JSON.RESP", "nokey", "$"],
    replies: { 2: "$-1\r\n", 3: "_\r\n" }
  },
  resp_missing_key_legacy: {
    command: (k) => Json.resp(k.none),
    expected: value(null),
    args: ["JSON.RESP", "nokey"],
    replies: { 2: "$-1\r\n", 3: "_\r\n" }
  },
  resp_matches_of_every_type: {
    command: (k) => Json.resp(k.doc, "$.*"),
    expected: value(["x", "1.5", "true", null, { k: "false" }, [1], [], "1e300"]),
    args: ["JSON.RESP", "doc", "$.*"],
    replies: {
      2: "*8\r\n$1\r\nx\r\n$3\r\n1.5\r\n+true\r\n$-1\r\n*2\r\n+{\r\n*2\r\n$1\r\nk\r\n+false\r\n*2\r\n+[\r\n:1\r\n*1\r\n+[\r\n$5\r\n1e300\r\n",
      3: "*8\r\n$1\r\nx\r\n$3\r\n1.5\r\n+true\r\n_\r\n*2\r\n+{\r\n*2\r\n$1\r\nk\r\n+false\r\n*2\r\n+[\r\n:1\r\n*1\r\n+[\r\n$5\r\n1e300\r\n"
    }
  },
  debug_depth: {
    command: (k) => Json.debugDepth(k.doc),
    expected: value(2),
    args: ["JSON.DEBUG", "DEPTH", "doc"],
    replies: { 2: ":2\r\n", 3: ":2\r\n" }
  },
  debug_depth_missing_key: {
    command: (k) => Json.debugDepth(k.none),
    expected: value(null),
    args: ["JSON.DEBUG", "DEPTH", "nokey"],
    replies: { 2: "$-1\r\n", 3: "_\r\n" }
  },
  debug_memory_missing_key_jsonpath: {
    command: (k) => Json.debugMemory(k.none, "$"),
    expected: value(null),
    args: ["JSON.DEBUG", "MEMORY", "nokey", "$"],
    replies: { 2: "$-1\r\n", 3: "_\r\n" }
  },
  debug_fields_matches: {
    command: (k) => Json.debugFields(k.doc, "$.*"),
    expected: value([1, 1, 1, 1, 1, 1, 0, 1]),
    args: ["JSON.DEBUG", "FIELDS", "doc", "$.*"],
    replies: {
      2: "*8\r\n:1\r\n:1\r\n:1\r\n:1\r\n:1\r\n:1\r\n:0\r\n:1\r\n",
      3: "*8\r\n:1\r\n:1\r\n:1\r\n:1\r\n:1\r\n:1\r\n:0\r\n:1\r\n"
    }
  },
  objkeys_matches_not_objects: {
    command: (k) => Json.objKeys(k.doc, "$.*"),
    expected: value([[], [], [], [], ["k"], [], [], []]),
    args: ["JSON.OBJKEYS", "doc", "$.*"],
    replies: {
      2: "*8\r\n*0\r\n*0\r\n*0\r\n*0\r\n*1\r\n$1\r\nk\r\n*0\r\n*0\r\n*0\r\n",
      3: "*8\r\n*0\r\n*0\r\n*0\r\n*0\r\n*1\r\n$1\r\nk\r\n*0\r\n*0\r\n*0\r\n"
    }
  },
  objlen_matches_not_objects: {
    command: (k) => Json.objLen(k.doc, "$.*"),
    expected: value([null, null, null, null, 1, null, null, null]),
    args: ["JSON.OBJLEN", "doc", "$.*"],
    replies: {
      2: "*8\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n:1\r\n$-1\r\n$-1\r\n$-1\r\n",
      3: "*8\r\n_\r\n_\r\n_\r\n_\r\n:1\r\n_\r\n_\r\n_\r\n"
    }
  },
  toggle_matches_mixed: {
    command: (k) => Json.toggle(k.doc, "$.*"),
    expected: value([null, null, false, null, null, null, null, null]),
    args: ["JSON.TOGGLE", "doc", "$.*"],
    replies: {
      2: "*8\r\n$-1\r\n$-1\r\n:0\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n",
      3: "*8\r\n_\r\n_\r\n:0\r\n_\r\n_\r\n_\r\n_\r\n_\r\n"
    }
  },
  toggle_legacy: {
    command: (k) => Json.toggle(k.doc, ".b"),
    expected: value(false),
    args: ["JSON.TOGGLE", "doc", ".b"],
    replies: { 2: "$5\r\nfalse\r\n", 3: "$5\r\nfalse\r\n" }
  },
  type_legacy_missing_path: {
    command: (k) => Json.type(k.doc, ".nope"),
    expected: value(null),
    args: ["JSON.TYPE", "doc", ".nope"],
    replies: { 2: "$-1\r\n", 3: "_\r\n" }
  },
  type_jsonpath_missing_path: {
    command: (k) => Json.type(k.doc, "$.nope"),
    expected: value([]),
    args: ["JSON.TYPE", "doc", "$.nope"],
    replies: { 2: "*0\r\n", 3: "*0\r\n" }
  },
  numincrby_matches_mixed: {
    command: (k) => Json.numIncrBy(k.doc, "$.*", 1),
    expected: value([null, 2.5, null, null, null, null, null, 1e300]),
    args: ["JSON.NUMINCRBY", "doc", "$.*", "1"],
    replies: {
      2: "$59\r\n[null,2.5,null,null,null,null,null,1.0000000000000001e+300]\r\n",
      3: "$59\r\n[null,2.5,null,null,null,null,null,1.0000000000000001e+300]\r\n"
    }
  },
  numincrby_legacy_float: {
    command: (k) => Json.numIncrBy(k.doc, ".f", 0.25),
    expected: value(1.75),
    args: ["JSON.NUMINCRBY", "doc", ".f", "0.25"],
    replies: { 2: "$4\r\n1.75\r\n", 3: "$4\r\n1.75\r\n" }
  },
  arrpop_empty_jsonpath: {
    command: (k) => Json.arrPop(k.doc, "$.e"),
    expected: value([null]),
    args: ["JSON.ARRPOP", "doc", "$.e"],
    replies: { 2: "*1\r\n$-1\r\n", 3: "*1\r\n_\r\n" }
  },
  arrpop_empty_legacy: {
    command: (k) => Json.arrPop(k.doc, ".e"),
    expected: value(null),
    args: ["JSON.ARRPOP", "doc", ".e"],
    replies: { 2: "$-1\r\n", 3: "_\r\n" }
  },
  arrpop_missing_key: {
    command: (k) => Json.arrPop(k.none),
    expected: replyError("NONEXISTENT"),
    args: ["JSON.ARRPOP", "nokey"],
    replies: { 2: "-NONEXISTENT Document key does not exist\r\n", 3: "-NONEXISTENT Document key does not exist\r\n" }
  },
  clear_missing_key: {
    command: (k) => Json.clear(k.none),
    expected: replyError("NONEXISTENT"),
    args: ["JSON.CLEAR", "nokey"],
    replies: { 2: "-NONEXISTENT Document key does not exist\r\n", 3: "-NONEXISTENT Document key does not exist\r\n" }
  },
  mget_key_not_json: {
    command: (k) => Json.mget([k.doc, k.plain], "$.s"),
    expected: replyError("WRONGTYPE"),
    args: ["JSON.MGET", "doc", "plain", "$.s"],
    replies: { 2: "-WRONGTYPE Not a JSON document key\r\n", 3: "-WRONGTYPE Not a JSON document key\r\n" }
  },
  mget_missing_legacy_path: {
    command: (k) => Json.mget([k.doc, k.none], ".nope"),
    expected: value([null, null]),
    args: ["JSON.MGET", "doc", "nokey", ".nope"],
    replies: { 2: "*2\r\n$-1\r\n$-1\r\n", 3: "*2\r\n_\r\n_\r\n" }
  },
  mset_key_not_json: {
    command: (k) =>
      Json.mset([
        [k.doc, "$.s", "z"],
        [k.plain, "$", 1]
      ]),
    expected: replyError("WRONGTYPE"),
    args: ["JSON.MSET", "doc", "$.s", '"z"', "plain", "$", "1"],
    replies: { 2: "-WRONGTYPE Not a JSON document key\r\n", 3: "-WRONGTYPE Not a JSON document key\r\n" }
  },
  set_new_key_below_root: {
    command: (k) => Json.set(k.none, "$.a", 1),
    expected: replyError("SYNTAXERR"),
    args: ["JSON.SET", "nokey", "$.a", "1"],
    replies: {
      2: "-SYNTAXERR A new Valkey key's path must be root\r\n",
      3: "-SYNTAXERR A new Valkey key's path must be root\r\n"
    }
  },
  get_paths_missing_key: {
    command: (k) => Json.getPaths(k.none, [".s", ".f"]),
    expected: value(null),
    args: ["JSON.GET", "nokey", ".s", ".f"],
    replies: { 2: "$-1\r\n", 3: "_\r\n" }
  },
  del_missing_path: {
    command: (k) => Json.del(k.doc, "$.nope"),
    expected: value(0),
    args: ["JSON.DEL", "doc", "$.nope"],
    replies: { 2: ":0\r\n", 3: ":0\r\n" }
  }
}
