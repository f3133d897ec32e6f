#!/bin/sh
# Run each libFuzzer target in build/fuzz for SECONDS (make fuzz, make
# fuzz-short). New inputs go to build/fuzz/corpus/NAME, never into the
# source tree: merge the interesting ones into tests/fuzz/corpus/NAME by
# hand with -merge=1. Crashes land in build/fuzz/artifacts/; the script
# fails when any target found one, and prints each target's last figures.
#
# usage: tests/fuzz/run.sh SECONDS [NAME...]
set -u
cd "$(dirname "$0")/../.."
secs=${1:?usage: run.sh SECONDS [NAME...]}
shift
names=$*
if [ -z "$names" ]; then
	for f in tests/fuzz/fuzz_*.c; do
		n=${f##*/}
		names="$names ${n%.c}"
	done
fi
mkdir -p build/fuzz/artifacts build/fuzz/logs
failed=0
for n in $names; do
	bin=build/fuzz/$n
	if [ ! -x "$bin" ]; then
		echo "$n: $bin missing (make fuzz-build)" >&2
		failed=1
		continue
	fi
	mkdir -p "build/fuzz/corpus/$n"
	log=build/fuzz/logs/$n.log
	# The scratch corpus first: libFuzzer writes new inputs there.
	"$bin" -max_total_time="$secs" -print_final_stats=1 \
	    -artifact_prefix="build/fuzz/artifacts/$n-" \
	    "build/fuzz/corpus/$n" "tests/fuzz/corpus/$n" >"$log" 2>&1
	rc=$?
	# The last status line carries cov/ft/exec/s; the final stats the rest.
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ $rc -ne 0 ]; then
		echo "$n: FAILED (exit $rc), see $log"
		grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -n 5
		failed=1
	else
		echo "$n: ok ${secs}s runs=${execs:-?} $(echo "$last" | sed -n "s/.*\(cov:.*\)/\1/p")"
	fi
done
exit $failed
