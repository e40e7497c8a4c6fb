#!/usr/bin/env bash
# Installs Debian's valkey-server (8.0.x from bookworm-backports) when it is missing.
# The mirror is taken from this machine's own apt sources: no host name is written here.
set -euo pipefail

if [ -n "${VALKEY_SERVER:-}" ] && [ -x "${VALKEY_SERVER}" ]; then exit 0; fi
if command -v valkey-server >/dev/null 2>&1; then exit 0; fi

say() { echo "install-valkey: $*" >&2; }
need() {
  say "$1"
  say "Install valkey-server 8.0+ yourself (Debian: 'apt-get install -t bookworm-backports valkey-server')"
  say "and put it on PATH, or point VALKEY_SERVER at the binary."
  exit 1
}

[ "$(id -u)" = "0" ] || need "valkey-server is missing and this user is not root, so it cannot be installed here."
command -v apt-get >/dev/null 2>&1 || need "valkey-server is missing and this is not a Debian system (no apt-get)."
. /etc/os-release
codename="${VERSION_CODENAME:-}"
[ -n "$codename" ] || need "valkey-server is missing and the Debian release name is unknown."

# The first Debian archive URI this machine already uses (deb822 sources, then one-line lists).
mirror="$(bash "$(dirname "${BASH_SOURCE[0]}")/debian-mirror.sh")"
[ -n "$mirror" ] || need "no Debian mirror found in this machine's apt sources."

list=/etc/apt/sources.list.d/effect-valkey-backports.list
if ! grep -qs "${codename}-backports" /etc/apt/sources.list /etc/apt/sources.list.d/* ; then
  echo "deb ${mirror} ${codename}-backports main" > "$list"
fi
say "installing valkey-server from ${codename}-backports"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# valkey-sentinel is the same binary under Sentinel's name (for users' own set-ups); the
# testkit starts its sentinels as `valkey-server <conf> --sentinel`, which needs only the server.
apt-get install -y -qq -t "${codename}-backports" valkey-server valkey-tools valkey-sentinel >/dev/null \
  || apt-get install -y -qq valkey-server valkey-tools valkey-sentinel >/dev/null \
  || need "apt-get could not install valkey-server."
# Debian starts a service on 6379 after install; this project never uses it.
if command -v systemctl >/dev/null 2>&1; then
  systemctl disable --now valkey-server >/dev/null 2>&1 || true
  systemctl disable --now valkey-sentinel >/dev/null 2>&1 || true
fi
pkill -f 'valkey-server .*:6379' >/dev/null 2>&1 || true
command -v valkey-server >/dev/null 2>&1 || need "valkey-server was installed but is not on PATH."
say "$(valkey-server --version)"
