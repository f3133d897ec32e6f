#!/bin/sh
# run.sh BUILD: muni's benchmarks. Each prints its figures as key=value
# lines (medians of repeated runs, with the target beside them); nothing
# here fails on a slow machine: the figures are for people to read.
set -u
build=$1
top=$(pwd)
export MUNI_BIN="$top/$build/bin"
export MUNI_TOP="$top"
export TZ=Europe/Riga LC_ALL=C.UTF-8
echo "# muni bench $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(uname -m)"
for b in "$build"/bench/bench_*; do
	[ -x "$b" ] || continue
	echo "## $(basename "$b")"
	"$b" || echo "bench $(basename "$b") failed (exit $?)"
done
for s in tests/bench/*.sh; do
	case $(basename "$s") in run.sh|*lib.sh) continue;; esac
	[ -f "$s" ] || continue
	echo "## $(basename "$s" .sh)"
	work=$(mktemp -d "${TMPDIR:-/tmp}/muni-bench.XXXXXX")
	(cd "$work" && sh "$top/$s") || echo "bench $s failed (exit $?)"
	rm -rf "$work"
done
