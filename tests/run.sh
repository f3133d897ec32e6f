#!/bin/sh
# run.sh BUILD [unit|fuzz|integration|chaos]: run muni's tests against the
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
# Sanitizer reports (SANITIZE=1) go to files, one per process, so a report
# from a daemon stopped at the end of a script, or from a command whose
# failure the script expected, still fails the test that ran it:
# LeakSanitizer reports at exit, also after SIGTERM.
sandir="$logdir/san"
mkdir -p "$sandir"
export ASAN_OPTIONS="detect_leaks=1:log_path=$sandir/asan${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$sandir/ubsan${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
# The tests must pass on a machine without any Latvian locale.
export LC_ALL=C.UTF-8
unset LANGUAGE LANG

# Reports the sanitizers wrote since the last call, appended to $1.
san_reports() {
	found=1
	for f in "$sandir"/*; do
		[ -f "$f" ] || continue
		found=0
		{ echo "--- sanitizer report ${f##*/}"; cat "$f"; } >>"$1"
		rm -f "$f"
	done
	return $found
}

run() {
	name=$1; shift
	log="$logdir/$(echo "$name" | tr '/' '_').log"
	start=$(date +%s)
	rc=0
	"$@" >"$log" 2>&1 || rc=$?
	# A sanitizer's report fails the test whatever its exit status.
	if san_reports "$log" && [ "$rc" -eq 0 ]; then
		rc=sanitizer
	fi
	if [ "$rc" = 0 ]; then
		pass=$((pass + 1))
		printf 'ok    %-40s %ss\n' "$name" $(( $(date +%s) - start ))
		# What a test could not check here, and why, stays in sight.
		grep '^SKIP' "$log" | sed 's/^/      /' || :
	else
		fail=$((fail + 1))
		failed="$failed $name"
		printf 'FAIL  %-40s (exit %s)\n' "$name" "$rc"
		sed -e 's/^/    | /' "$log" | tail -n 80
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
# make chaos: the fault drills in full (CHAOS_FULL=1), CHAOS_RUNS times in
# a row (3 by default: a drill that passes once by luck is not done).
if [ "$only" = chaos ]; then
	i=1
	while [ "$i" -le "${CHAOS_RUNS:-3}" ]; do
		work=$(mktemp -d "${TMPDIR:-/tmp}/muni-chaos.XXXXXX")
		run "chaos/full-run-$i" env CHAOS_FULL=1 \
		    sh -c 'cd "$1" && sh "$2"' sh "$work" \
		    "$top/tests/integration/chaos.sh"
		rm -rf "$work"
		i=$((i + 1))
	done
fi
rm -rf "$logdir"
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
