#!/usr/bin/env bash
# The release without publishing: builds every package, shows what changesets would publish,
# and runs `npm publish --dry-run` for each publishable package, so a broken manifest, a
# missing file or a package that npm would refuse fails CI rather than the real release.
# Run through `bash scripts/run.sh release-dry-run` (`npm run release:dry-run`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
packages=(core testkit cluster pubsub json search persistence aws-iam)

npm run --silent build
npx changeset publish-plan
for p in "${packages[@]}"; do
  out="$(npm publish --dry-run --workspace "packages/$p" 2>&1)" || { echo "$out"; exit 1; }
  echo "release-dry-run: $(grep -E 'npm notice (name|version|filename|package size|total files):' <<<"$out" | sed 's/npm notice //' | tr -s ' ' | paste -sd ',' - | sed 's/,/, /g')"
done
echo "release-dry-run: passed"
