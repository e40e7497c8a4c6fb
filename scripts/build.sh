#!/usr/bin/env bash
# `npm run build`: emits dist/ (ESM, .d.ts, source and declaration maps) for every publishable
# package, in dependency order: a package's build reads the .d.ts files its dependencies
# emitted (tsconfig.build.json drops the `source` condition), as a user's compiler would.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
packages=(core testkit cluster pubsub json search persistence aws-iam)
for p in "${packages[@]}"; do
  rm -rf "packages/$p/dist"
  npx tsc -p "packages/$p/tsconfig.build.json"
done
echo "build: ${packages[*]} -> packages/*/dist" >&2
