#!/usr/bin/env bash
# The one entry point behind `npm start`, `npm test`, `npm run bench`, `npm run pack-check`,
# `npm run release:dry-run` and `npm run docs`: makes sure a recent Node, the dependencies and
# valkey-server are present, then runs the task with that Node.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
prefix="$(bash scripts/ensure-node.sh)"
[ -n "$prefix" ] && export PATH="$prefix:$PATH"
bash scripts/install-valkey.sh
if [ ! -d node_modules/effect ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "run: installing dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
task="$1"; shift
case "$task" in
  test) npm run --silent check && npm run --silent lint && npx vitest run "$@" ;;
  start) node --conditions=source examples/tour.ts "$@" ;;
  bench) npm run --silent bench:run --workspace=bench -- "$@" ;;
  pack-check) bash scripts/pack-check.sh "$@" ;;
  release-dry-run) bash scripts/release-dry-run.sh "$@" ;;
  docs) bash scripts/docs.sh "$@" ;;
  *) exec "$@" ;;
esac
