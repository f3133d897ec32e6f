#!/bin/sh
# run.sh BUILD [unit|fuzz|integration|chaos [sqlite|pg|both]]: run muni's
# tests against the binaries in BUILD and end with one line "N passed, N
# failed". The store is SQLite unless the third argument or
# MUNI_TEST_STORE says pg (PostgreSQL) or both (SQLite, then PostgreSQL,
# each half with its own summary line, then the total).
#
# On PostgreSQL, one throwaway cluster (tests/pg.sh) serves the whole run
# and is stopped at the end, also on failure or interrupt. Unit tests get
# MUNI_TEST_PG_URL (tests/unit/testdb.c makes a schema per test program);
# each integration script gets MUNI_TEST_PG_DIR and a MUNI_TEST_PG_PREFIX
# of its own, and lib.sh's db_conf/sql make its databases there. Fuzz
# corpora, unit tests that open no store and scripts that never name a
# database do not touch it: they run in the SQLite half only. So do the
# pg_* scripts, which start their own cluster in either half.
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
store=${3:-${MUNI_TEST_STORE:-sqlite}}
top=$(pwd)

case $store in
sqlite|pg)
	;;
both)
	# Each half in a process of its own, shown as it runs; their
	# summary lines, then the sum.
	sums=$(mktemp "${TMPDIR:-/tmp}/muni-sums.XXXXXX")
	for half in sqlite pg; do
		echo "=== $half"
		{ sh "$0" "$build" "$only" "$half" || :; } |
		    while IFS= read -r line; do
			printf '%s\n' "$line"
			case $line in
			*" passed, "*" failed") echo "$half: $line" >>"$sums" ;;
			esac
		done
	done
	cat "$sums"
	awk '{ p += $2; f += $4 } END { print p " passed, " f " failed";
	    exit (f > 0 || NR != 2) }' "$sums"
	rc=$?
	rm -f "$sums"
	exit $rc
	;;
*)
	echo "run.sh: store '$store': want sqlite, pg or both" >&2
	exit 2
	;;
esac
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

# The PostgreSQL half's cluster, stopped whatever way the run ends.
pgdir=""
unset MUNI_TEST_PG_URL MUNI_TEST_PG_DIR MUNI_TEST_PG_PREFIX
if [ "$store" = pg ]; then
	# Not in $logdir: as root the server runs as 'postgres', which
	# must reach its directory.
	pgdir=$(mktemp -d "${TMPDIR:-/tmp}/muni-pg.XXXXXX")
	trap 'sh "$top/tests/pg.sh" stop "$pgdir"; rm -rf "$logdir"' EXIT
	trap 'exit 130' INT HUP TERM
	pgstart=$(date +%s)
	sh tests/pg.sh start "$pgdir" ||
	    { echo "run.sh: cannot start PostgreSQL"; echo "0 passed, 1 failed"; exit 1; }
	MUNI_TEST_PG_URL=$(sh tests/pg.sh createdb "$pgdir" unit) ||
	    { echo "run.sh: cannot create the unit tests' database"; echo "0 passed, 1 failed"; exit 1; }
	export MUNI_TEST_PG_URL
	echo "store: PostgreSQL, a throwaway cluster in $pgdir ($(( $(date +%s) - pgstart ))s to start)"
fi

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
		# On PostgreSQL, only the tests that open a store.
		if [ "$store" = pg ] && ! grep -qE \
		    'test_store_open|tl_demo_store|test_sqlite_only|MUNI_TEST_PG_URL' \
		    "tests/unit/$(basename "$t").c" 2>/dev/null; then
			continue
		fi
		run "unit/$(basename "$t")" "$t"
	done
fi
if [ "$store" = sqlite ] && { [ "$only" = all ] || [ "$only" = fuzz ]; }; then
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
	{
		find "$2" -maxdepth 2 -type f -name muni.db |
		while IFS= read -r db; do
			sqlite3 -batch -noheader "$db" "$codes_sql" \
			    2>/dev/null || :
		done
		# The script's databases on the cluster, dropped once read.
		[ -n "${MUNI_TEST_PG_PREFIX:-}" ] && pg_dbs |
		while IFS= read -r db; do
			pgq "$db" "$codes_sql" 2>/dev/null || :
			dropdb -h "$pgdir" -U muni "$db" 2>/dev/null || :
		done
	} > "$MUNI_ARTIFACTS/codes/$1"
}
codes_sql="select personal_code from residents union select child_code
    from queue_entries"

pgq() {
	psql -X -Atq -h "$pgdir" -U muni -d "$1" -c "$2"
}

# The current script's databases on the cluster.
pg_dbs() {
	pgq postgres "select datname from pg_database where datname like
	    '${MUNI_TEST_PG_PREFIX}%'"
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
		n=$(basename "$s" .sh)
		if [ "$store" = pg ]; then
			case $n in pg_*) continue;; esac
			# A script that names no database tests nothing
			# the store changes.
			grep -q 'db_conf\|write_conf\|gw_conf_head\|\[database\]\|muni\.db\|zz_privacy' \
			    "$s" || continue
			MUNI_TEST_PG_DIR=$pgdir
			MUNI_TEST_PG_PREFIX="t_$(echo "$n" | tr -c 'a-z0-9_\n' _)_"
			export MUNI_TEST_PG_DIR MUNI_TEST_PG_PREFIX
		fi
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
[ -z "$pgdir" ] && rm -rf "$logdir"
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
