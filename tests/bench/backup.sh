# backup: `munictl backup` of a demo database of BENCH_BACKUP_RESIDENTS
# (default 200,000) residents, BENCH_RUNS times (default 3): the median
# wall time and MB/s; then one backup while another process commits a row
# every few milliseconds, to show the writer is not held up (its commits
# during the copy and its slowest one).
set -eu
n=${BENCH_BACKUP_RESIDENTS:-200000}
runs=${BENCH_RUNS:-3}
printf '[database]\npath = %s/muni.db\n' "$(pwd)" > muni.conf
chmod 600 muni.conf
ctl() { "$MUNI_BIN/munictl" -c muni.conf "$@"; }
ctl init > /dev/null 2>&1
ctl demo --residents "$n" --seed 1 > /dev/null 2>&1

median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

: > walls
i=0
while [ $i -lt "$runs" ]; do
	/usr/bin/time -f '%e' -o t.out "$MUNI_BIN/munictl" -c muni.conf \
	    backup --force copy.db > b.out 2> err.out ||
	    { cat err.out >&2; exit 1; }
	cat t.out >> walls
	i=$((i + 1))
done
bytes=$(sed -n 's/.* bytes=\([0-9]*\) .*/\1/p' b.out)
w=$(median < walls)
echo "backup residents=$n bytes=$bytes wall_s=$w mb_per_s=$(awk -v b="$bytes" -v w="$w" 'BEGIN { printf "%.0f", (w > 0 ? b / w / 1e6 : 0) }') (median of $runs)"

# A writer beside the backup: one commit per loop, each timed.
writer() {
	while [ ! -f stop ]; do
		s=$(date +%s%N)
		sqlite3 muni.db "PRAGMA busy_timeout = 10000;
		    INSERT INTO audit_log (at, actor, action, detail)
		    VALUES (0, 'bench', 'write', '')" > /dev/null || exit 1
		echo $(( ($(date +%s%N) - s) / 1000000 )) >> commits
	done
}
# The writer alone first, for its usual commit times.
rm -f stop
: > commits
writer &
wpid=$!
sleep 3
touch stop
wait "$wpid"
echo "writer_alone commits_per_s=$(( $(wc -l < commits) / 3 )) slowest_ms=$(sort -n commits | tail -n 1) median_ms=$(median < commits)"
rm -f stop
: > commits
writer &
wpid=$!
sleep 1
before=$(wc -l < commits)
/usr/bin/time -f '%e' -o t.out "$MUNI_BIN/munictl" -c muni.conf backup \
    --force copy.db > /dev/null 2> err.out || { cat err.out >&2; exit 1; }
during=$(( $(wc -l < commits) - before ))
touch stop
wait "$wpid"
echo "backup_beside_writer wall_s=$(cat t.out) writer_commits_during=$during slowest_ms=$(sort -n commits | tail -n 1) median_ms=$(median < commits)"
