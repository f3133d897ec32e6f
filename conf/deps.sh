#!/bin/sh
# deps.sh FILE: install the Debian packages listed in FILE that are missing.
# As root it runs apt-get; otherwise it uses sudo when that needs no
# password, and else prints the exact command and fails.
set -eu
list=$1
missing=""
# A line is "package" or "package command": the second form is satisfied
# by the command on PATH too (NodeSource's nodejs provides npm, say).
while read -r p cmd; do
	[ -n "$p" ] || continue
	st=$(dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] && continue
	[ -n "$cmd" ] && command -v "$cmd" >/dev/null 2>&1 && continue
	missing="$missing $p"
done <<EOF
$(sed -e 's/#.*//' "$list")
EOF
[ -z "$missing" ] && exit 0
echo "deps: missing Debian packages:$missing"
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	sudo="sudo"
else
	echo "deps: run as root:  apt-get update && $cmd" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q || { echo "deps: apt-get update failed" >&2; exit 1; }
$sudo $cmd || { echo "deps: apt-get install failed" >&2; exit 1; }
