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
# The server line the tests run on: VALKEY_SERVER (a valkey-server binary) wins; else
# VALKEY_LINE=9.1 builds (once) and uses Valkey 9.1.x from Debian's source package; else the
# default line, Debian's valkey-server 8.0.x on PATH.
if [ -z "${VALKEY_SERVER:-}" ] && [ -n "${VALKEY_LINE:-}" ] && [ "${VALKEY_LINE}" != "8.0" ]; then
  VALKEY_SERVER="$(VALKEY9_SERIES="$VALKEY_LINE" bash scripts/install-valkey9.sh)"
  export VALKEY_SERVER
fi
if [ ! -d node_modules/effect ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "run: installing dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
task="$1"; shift
case "$task" in
  test) npm run --silent check && npm run --silent lint && npx vitest run "$@" ;;
  # What CI splits `test` into: the static checks once, then the tests once per server line.
  static) npm run --silent check && npm run --silent lint ;;
  vitest) npx vitest run "$@" ;;
  start) node --conditions=source examples/tour.ts "$@" ;;
  bench) npm run --silent bench:run --workspace=bench -- "$@" ;;
  pack-check) bash scripts/pack-check.sh "$@" ;;
  release-dry-run) bash scripts/release-dry-run.sh "$@" ;;
  docs) bash scripts/docs.sh "$@" ;;
  *) exec "$@" ;;
esac
