import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, assert, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Modules, ValkeyServer } from "../src/index.ts"

/** A builds folder laid out like `shared/modules/`, with empty stand-ins for the libraries. */
const root = mkdtempSync(join(tmpdir(), "testkit-modules-"))
const builds = join(root, "shared", "modules")
for (const [folder, file] of [
  ["valkey-json-1.0.2", "libjson.so"],
  ["valkey-search-1.0.3", "libsearch.so"],
  ["valkey-search-1.2.1", "libsearch.so"],
  ["valkey-search-1.0.1", "libsearch.so"],
  ["valkey-search-1.3.0", "README.md"],
  ["notes", "README.md"]
] as const) {
  mkdirSync(join(builds, folder), { recursive: true })
  writeFileSync(join(builds, folder, file), "")
}
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe("Modules", () => {
  it("modulesFromEnv splits VALKEY_MODULES on colons", () => {
    expect(Modules.modulesFromEnv({ VALKEY_MODULES: "/a/json.so: /b/search.so::" })).toEqual([
      "/a/json.so",
      "/b/search.so"
    ])
    expect(Modules.modulesFromEnv({})).toEqual([])
  })

  it("the environment decides alone when it names modules", () => {
    const env = { VALKEY_MODULES: "/a/libJSON.so", VALKEY_MODULES_DIR: builds }
    expect(Modules.moduleFromEnv("json", "VALKEY_JSON_MODULE", env)).toMatchObject({
      available: true,
      modules: ["/a/libJSON.so"]
    })
    expect(Modules.moduleFromEnv("search", "VALKEY_SEARCH_MODULE", env)).toMatchObject({
      available: false,
      modules: ["/a/libJSON.so"]
    })
    expect(
      Modules.moduleFromEnv("search", "VALKEY_SEARCH_MODULE", { ...env, VALKEY_SEARCH_MODULE: " /b/vs.so " })
    ).toMatchObject({ available: true, modules: ["/a/libJSON.so", "/b/vs.so"] })
  })

  it("search 1.0 loads in Valkey 8 only, 1.1 and later in 9.0.1 and later; json everywhere", () => {
    assert.isTrue(Modules.loadsIn("search", [1, 0, 3], [8, 0, 1]))
    assert.isTrue(Modules.loadsIn("search", [1, 0, 3], [8, 1, 4]))
    assert.isFalse(Modules.loadsIn("search", [1, 0, 3], [9, 1, 2]))
    assert.isFalse(Modules.loadsIn("search", [1, 2, 1], [8, 0, 1]))
    assert.isFalse(Modules.loadsIn("search", [1, 2, 1], [9, 0, 0]))
    assert.isTrue(Modules.loadsIn("search", [1, 2, 1], [9, 0, 1]))
    assert.isTrue(Modules.loadsIn("json", [1, 0, 2], [9, 1, 2]))
  })

  it("picks the newest build with a library that loads in the server", () => {
    const on8 = Modules.buildsFor(builds, [8, 0, 1])
    assert.strictEqual(on8.get("search"), join(builds, "valkey-search-1.0.3", "libsearch.so"))
    assert.strictEqual(on8.get("json"), join(builds, "valkey-json-1.0.2", "libjson.so"))
    // 1.3.0 has no library in its folder, so 1.2.1 is the newest usable build.
    assert.strictEqual(
      Modules.buildsFor(builds, [9, 1, 2]).get("search"),
      join(builds, "valkey-search-1.2.1", "libsearch.so")
    )
    assert.deepStrictEqual([...Modules.buildsFor(builds, [8, 0, 1]).keys()].sort(), ["json", "search"])
  })

  it("finds shared/modules beside the working directory or a parent", () => {
    const nested = join(root, "project", "packages", "json")
    mkdirSync(nested, { recursive: true })
    assert.strictEqual(Modules.buildsDir({}, nested), builds)
    assert.strictEqual(Modules.buildsDir({ VALKEY_MODULES_DIR: builds }, "/"), builds)
    assert.isUndefined(Modules.buildsDir({ VALKEY_MODULES_DIR: join(root, "missing") }, nested))
  })

  it("without modules in the environment or a builds folder, says why", () => {
    const found = Modules.moduleFromEnv("search", "VALKEY_SEARCH_MODULE", { VALKEY_MODULES_DIR: join(root, "none") })
    assert.isFalse(found.available)
    expect(found.reason).toMatch(/no search module: set VALKEY_MODULES/)
  })

  it("reads the version of the server binary", () => {
    const version = Modules.serverVersion(process.env.VALKEY_SERVER ?? "valkey-server")
    assert.isDefined(version)
    assert.isAtLeast(version![0], 7)
    assert.isUndefined(Modules.serverVersion("/nonexistent/valkey-server"))
  })

  // With the real builds beside the project (as in CI), the chosen ones load in this server.
  const real = Modules.moduleFromEnv("search", "VALKEY_SEARCH_MODULE")
  it.live.skipIf(!real.available)("the builds found for this server load in it", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* ValkeyServer.make({ modules: real.modules })
        const list = JSON.stringify(yield* server.command(["MODULE", "LIST"]))
        expect(list).toMatch(/search/)
        expect(list).toMatch(/json/)
      })
    )
  )
})
