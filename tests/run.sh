#!/bin/sh
# run.sh BUILD [unit|fuzz|integration]: run muni's tests against the
# binaries in BUILD and end with one line "N passed, N failed".
#
# Unit tests are cmocka programs in BUILD/tests; fuzz corpora are replayed
# by BUILD/fuzz/replay_*; integration tests are tests/integration/*.sh,
# each run in a fresh temporary directory with MUNI_BIN pointing at the
# binaries. A test's output is shown only when it fails.
#
# After each integration script, the logs it leaves (*.log, *.err, *.out,
# also one directory down: daemons' logs, the simulator's record of every
# SMS) are kept under $MUNI_ARTIFACTS/logs/SCRIPT/, and the personal codes
# of any muni.db it made under $MUNI_ARTIFACTS/codes/SCRIPT, for
# zz_privacy.sh, which runs last and greps them all for personal codes.
set -u
build=$1
only=${2:-all}
top=$(pwd)
pass=0
fail=0
failed=""
logdir=$(mktemp -d "${TMPDIR:-/tmp}/muni-test.XXXXXX")

export MUNI_BIN="$top/$build/bin"
export MUNI_LOCALEDIR="$top/$build/locale"
export MUNI_TOP="$top"
export TZ=Europe/Riga
# The tests must pass on a machine without any Latvian locale.
export LC_ALL=C.UTF-8
unset LANGUAGE LANG

run() {
	name=$1; shift
	log="$logdir/$(echo "$name" | tr '/' '_').log"
	start=$(date +%s)
	if "$@" >"$log" 2>&1; then
		pass=$((pass + 1))
		printf 'ok    %-40s %ss\n' "$name" $(( $(date +%s) - start ))
	else
		fail=$((fail + 1))
		failed="$failed $name"
		printf 'FAIL  %-40s (exit %s)\n' "$name" "$?"
		sed -e 's/^/    | /' "$log" | tail -n 60
	fi
}

if [ "$only" = all ] || [ "$only" = unit ]; then
	for t in "$build"/tests/test_*; do
		[ -x "$t" ] || continue
		run "unit/$(basename "$t")" "$t"
	done
fi
if [ "$only" = all ] || [ "$only" = fuzz ]; then
	for r in "$build"/fuzz/replay_*; do
		[ -x "$r" ] || continue
		n=${r##*/replay_}
		run "fuzz-corpus/$n" "$r" "tests/fuzz/corpus/$n"
	done
fi
# keep_artifacts NAME DIR: what an integration script left, for the
# privacy check.
keep_artifacts() {
	dest="$MUNI_ARTIFACTS/logs/$1"
	mkdir -p "$dest" "$MUNI_ARTIFACTS/codes"
	find "$2" -maxdepth 2 -type f \( -name '*.log' -o -name '*.err' -o \
	    -name '*.out' -o -name typed-codes \) -size +0 |
	while IFS= read -r f; do
		rel=${f#"$2"/}
		cp "$f" "$dest/$(echo "$rel" | tr '/' '_')"
	done
	find "$2" -maxdepth 2 -type f -name muni.db |
	while IFS= read -r db; do
		sqlite3 -batch -noheader "$db" "select personal_code from
		    residents union select child_code from queue_entries" \
		    2>/dev/null || :
	done > "$MUNI_ARTIFACTS/codes/$1"
}

if [ "$only" = all ] || [ "$only" = integration ]; then
	own_artifacts=0
	if [ -z "${MUNI_ARTIFACTS:-}" ]; then
		MUNI_ARTIFACTS=$(mktemp -d "${TMPDIR:-/tmp}/muni-art.XXXXXX")
		own_artifacts=1
	fi
	export MUNI_ARTIFACTS
	# zz_privacy.sh sorts last in the C locale: it reads what the
	# others left.
	for s in tests/integration/*.sh; do
		[ -f "$s" ] || continue
		case "$(basename "$s")" in *lib.sh) continue;; esac	# sourced
		work=$(mktemp -d "${TMPDIR:-/tmp}/muni-it.XXXXXX")
		run "integration/$(basename "$s" .sh)" \
		    sh -c 'cd "$1" && sh "$2"' sh "$work" "$top/$s"
		keep_artifacts "$(basename "$s" .sh)" "$work"
		rm -rf "$work"
	done
	[ "$own_artifacts" -eq 1 ] && rm -rf "$MUNI_ARTIFACTS"
fi
rm -rf "$logdir"
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
