# import: CSV import of 1,000,000 residents and `munictl demo` of
# 1,000,000 residents, each on a fresh database, BENCH_RUNS times (default
# 3); prints the median wall time and peak RSS. Targets (issue 2, 2-core
# machine): import <= 10 s, demo <= 15 s.
set -eu
n=${BENCH_RESIDENTS:-1000000}
runs=${BENCH_RUNS:-3}
printf '[database]\npath = %s/muni.db\n' "$(pwd)" > muni.conf

# New-form codes need no checksum; phones are a bijection of the row.
awk -v n="$n" 'BEGIN {
	print "personal_code,given_name,family_name,phone,lang,territory,address,birth_date"
	split("Jānis Līga Pēteris Ilze Mārtiņš Dace Kārlis Zane", g, " ")
	split("Bērziņš Kalniņa Ozoliņš Liepiņa Krūmiņš Zariņa Lācis Eglīte", f, " ")
	for (i = 0; i < n; i++)
		printf "3%d%09d,%s,%s,2%07d,lv,Dobele,\"Brīvības iela %d, Dobele\",\n",
		    2 + i % 8, (i * 7919 + 13) % 1000000000, g[i % 8 + 1],
		    f[i % 8 + 1], (i * 3 + 1) % 10000000, i % 200
}' > residents.csv

median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# measure NAME CMD...: wall seconds and peak KB of one run on a fresh db
measure() {
	rm -f muni.db muni.db-wal muni.db-shm
	"$MUNI_BIN/munictl" -c muni.conf init > /dev/null 2>&1
	/usr/bin/time -f '%e %M' -o t.out "$@" > /dev/null 2> err.out ||
	    { cat err.out >&2; echo "bench: $* failed" >&2; return 1; }
	cat t.out
}

for what in import demo; do
	: > walls; : > rss
	i=0
	while [ $i -lt "$runs" ]; do
		if [ $what = import ]; then
			r=$(measure "$MUNI_BIN/munictl" -c muni.conf import \
			    residents residents.csv)
		else
			r=$(measure "$MUNI_BIN/munictl" -c muni.conf demo \
			    --residents "$n" --seed 1)
		fi
		echo "$r" | cut -d' ' -f1 >> walls
		echo "$r" | cut -d' ' -f2 >> rss
		i=$((i + 1))
	done
	target=10
	[ $what = demo ] && target=15
	echo "${what}_residents=$n runs=$runs ${what}_s_median=$(median < walls) target_s=$target ${what}_peak_rss_kb=$(sort -n rss | tail -1)"
done
