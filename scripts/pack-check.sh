#!/usr/bin/env bash
# The install a user gets, checked: packs every publishable package, installs the tarballs into
# an empty project next to the newest `effect` (and `@effect/platform-node`) inside the declared
# peer range, fresh from the registry, asserts that the install holds exactly one copy of
# `effect`, type-checks the smoke program against the packed .d.ts files, and runs it with
# plain `node` against throwaway servers started by the packed testkit.
# Run through `bash scripts/run.sh pack-check` (`npm run pack-check`), which provides Node 24,
# the workspace's dependencies and valkey-server.
# VALKEY_JSON_MODULE: the valkey-json module for the JSON step (default: the build in
# ../shared/modules beside the repository); the step prints a skip when it is absent.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { echo "pack-check: $*"; }
packages=(core testkit cluster pubsub json search persistence aws-iam)

npm run --silent build

work="$(mktemp -d "${TMPDIR:-/tmp}/effect-valkey-pack-check.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tarballs" "$work/app"
tarballs=()
for p in "${packages[@]}"; do
  file="$(npm pack --silent --workspace "packages/$p" --pack-destination "$work/tarballs" | tail -n 1)"
  tarballs+=("$work/tarballs/$file")
done
say "packed: $(cd "$work/tarballs" && echo *)"

range="$(node -p 'require("./packages/core/package.json").peerDependencies.effect')"
cp scripts/pack-check/smoke.ts "$work/app/smoke.ts"
cat > "$work/app/package.json" <<'JSON'
{ "name": "pack-check-app", "private": true, "type": "module" }
JSON
cat > "$work/app/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "noEmit": true,
    "allowImportingTsExtensions": true,
    "types": ["node"]
  },
  "include": ["smoke.ts"]
}
JSON
(
  cd "$work/app"
  # The peer range as the version spec: npm installs the newest release inside it.
  # Bounded, and tried twice: one install here once sat idle for minutes on a registry request
  # that never answered, which would hold CI to its time limit.
  for attempt in 1 2; do
    timeout 180 npm install --no-audit --no-fund --loglevel=error "${tarballs[@]}" \
      "effect@$range" "@effect/platform-node@$range" "@types/node@^24" >/dev/null && break
    [ "$attempt" = 2 ] && { echo "pack-check: FAILED: npm install did not finish" >&2; exit 1; }
    echo "pack-check: npm install did not finish; trying once more" >&2
  done
)
installed="$(cd "$work/app" && node -p '["effect", "@effect/platform-node"].map((n) => `${n}@${require(`./node_modules/${n}/package.json`).version}`).join(", ")')"
say "installed next to the tarballs (peer range $range): $installed"

(cd "$work/app" && npm ls effect --all) | sed 's/^/  /'
copies="$(cd "$work/app" && npm query '#effect' | node -e '
  const nodes = JSON.parse(require("fs").readFileSync(0, "utf8"))
  console.log(new Set(nodes.map((n) => n.location)).size)')"
if [ "$copies" != "1" ]; then
  say "FAILED: $copies copies of effect are installed; a user's app would get a second copy"
  exit 1
fi
say "one copy of effect"

"$root/node_modules/.bin/tsc" -p "$work/app/tsconfig.json"
say "smoke.ts type-checks against the packed .d.ts files"

json_module="${VALKEY_JSON_MODULE:-$root/../shared/modules/valkey-json-1.0.2/libjson.so}"
(cd "$work/app" && VALKEY_JSON_MODULE="$json_module" timeout 300 node smoke.ts)
say "passed"
