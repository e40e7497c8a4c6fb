#!/usr/bin/env bash
# Builds the second server line, Valkey 9.1.x, from Debian's own source package (sid) into
# .tools/valkey-<version>/ and prints the path of its valkey-server on stdout. A build that is
# already there is reused without touching the network.
#
# Debian's sid binary packages need a newer libc than bookworm's, but the source builds here.
# apt is used with a private configuration under .tools/apt-sid/ (its own sources list, lists
# and cache directories): the machine's own apt sources and caches are never changed. The
# mirror is the one this machine's apt sources already use; no host name is written here.
#
# Knobs: VALKEY9_SERIES (default "9.1": the version prefix that is accepted and built).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
series="${VALKEY9_SERIES:-9.1}"
tools="$root/.tools"

say() { echo "install-valkey9: $*" >&2; }
fail() { say "$*"; exit 1; }

# 1. Reuse a finished build of the wanted series (the newest, when there are several).
for bin in $(ls -d "$tools"/valkey-"$series".*/bin/valkey-server 2>/dev/null | sort -V -r); do
  if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then echo "$bin"; exit 0; fi
done

command -v apt-get >/dev/null 2>&1 || fail "apt-get is missing: build Valkey $series yourself and point VALKEY_SERVER at it."

# 2. Build tools: a C compiler, make, OpenSSL headers, pkg-config, dpkg-source.
missing=()
for p in build-essential libssl-dev pkg-config dpkg-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = "0" ] || fail "missing build packages (${missing[*]}) and this user cannot install them."
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } \
    || fail "apt-get could not install ${missing[*]}."
fi

# 3. The first Debian archive URI this machine already uses (deb822 sources, then one-line lists).
mirror="$(bash "$(dirname "${BASH_SOURCE[0]}")/debian-mirror.sh")"
[ -n "$mirror" ] || fail "no Debian mirror found in this machine's apt sources."

# 4. A private apt configuration that knows only sid's source index.
aptdir="$tools/apt-sid"
mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$aptdir/parts"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
signed=""
[ -f "$keyring" ] && signed="[signed-by=$keyring] "
echo "deb-src ${signed}${mirror} sid main" > "$aptdir/sources.list"
apt_opts=(
  -o "Dir::Etc::SourceList=$aptdir/sources.list"
  -o "Dir::Etc::SourceParts=$aptdir/parts"
  -o "Dir::State::Lists=$aptdir/lists"
  -o "Dir::Cache=$aptdir/cache"
  -o "APT::Sandbox::User=$(id -un)"
  -o "Debug::NoLocking=1"
)
log="$tools/valkey-build.log"
: > "$log"
on_fail() {
  say "failed; the last lines of $log:"
  tail -n 30 "$log" >&2
}
trap 'on_fail' ERR

say "reading sid's source index from $mirror (private apt config in .tools/apt-sid)"
apt-get "${apt_opts[@]}" update >>"$log" 2>&1

version=$(apt-cache "${apt_opts[@]}" showsrc valkey 2>>"$log" \
  | awk '/^Version:/ { print $2 }' | sort -V -r | head -n 1)
[ -n "$version" ] || { on_fail; trap - ERR; fail "sid carries no valkey source package."; }
upstream="${version#*:}"
upstream="${upstream%%-*}"
upstream="${upstream%%+*}"
case "$upstream" in
  "$series".*) ;;
  *) trap - ERR; fail "sid carries valkey $version, not $series.x (set VALKEY9_SERIES to accept it)." ;;
esac

# 5. Fetch the .dsc and tarballs, unpack the upstream source (without Debian's packaging
#    patches, which switch to system libraries this build does not need), build, install.
work="$tools/valkey-src"
rm -rf "$work"
mkdir -p "$work"
say "fetching valkey $version source"
(cd "$work" && apt-get "${apt_opts[@]}" source --download-only "valkey=$version") >>"$log" 2>&1
dsc=$(ls "$work"/*.dsc | head -n 1)
(cd "$work" && dpkg-source --skip-patches -x "$dsc" src) >>"$log" 2>&1

dest="$tools/valkey-$upstream"
say "building valkey $upstream (make BUILD_TLS=yes, about 3 minutes on 2 cores; log: .tools/valkey-build.log)"
jobs=$(nproc 2>/dev/null || echo 2)
# The tree sits inside this repository's checkout: keep git from stamping our commit as its sha.
export GIT_CEILING_DIRECTORIES="$work"
make -C "$work/src" -j"$jobs" BUILD_TLS=yes >>"$log" 2>&1
rm -rf "$dest.tmp"
make -C "$work/src" PREFIX="$dest.tmp" install >>"$log" 2>&1
"$dest.tmp/bin/valkey-server" --version >>"$log" 2>&1
rm -rf "$dest"
mv "$dest.tmp" "$dest"
rm -rf "$work" "$aptdir/lists" "$aptdir/cache"
trap - ERR
say "$("$dest/bin/valkey-server" --version)"
echo "$dest/bin/valkey-server"
