#!/usr/bin/env bash
# Prints the first Debian archive URI this machine's apt sources already use (deb822 sources,
# then one-line lists; security archives skipped), or nothing. Shared by the install scripts,
# so no host name is ever written into the repository.
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  mirror=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f")
  [ -n "$mirror" ] && { echo "$mirror"; exit 0; }
done
grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
  | grep -v security | awk '{ print $2; exit }'
