# tour: the README's "A short tour" runs as written, line by line, on the
# demo database, from a directory laid out as the project's top is after
# `make demo` (build/release/bin, conf/examples, demo/muni.conf). A line
# whose comment says "refused" must fail; `muni-smsgw -d` must still be
# running after a few seconds; every other line must succeed.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
sqlite_only "the README's tour runs on the SQLite database of make demo"

mkdir -p build/release demo
ln -s "$MUNI_BIN" build/release/bin
ln -s "$MUNI_TOP/conf" conf
ln -s demo/muni.db muni.db		# for lib.sh's sql
# demo/muni.conf as `make demo` writes it (tests/demo.sh): the sample
# configuration with the demo's database, password and ports.
hport=$(free_port)
sed -e "s|^path = .*|path = $PWD/demo/muni.db|" \
    -e "s|^port = .*|port = $(free_port)|" \
    -e "s|^password =.*|password = demo|" \
    -e "s|^listen = .*|listen = 127.0.0.1:$hport|" \
    -e "s|^source_addr =.*|source_addr = Dobele|" \
    "$MUNI_TOP/conf/muni.conf" > demo/muni.conf
chmod 600 demo/muni.conf

# The tour: the first sh block after its heading.
sed -n '/^## A short tour/,/^```$/p' "$MUNI_TOP/README.md" |
    sed -e '1,/^```sh$/d' -e '/^```$/d' > tour.txt
[ "$(wc -l < tour.txt)" -ge 20 ] || fail "the tour has $(wc -l < tour.txt) lines"

# One script: each line as written, its status checked.
{
	echo 'n=0'
	while IFS= read -r line; do
		case "$line" in
		export\ *|[A-Z]=*)
			printf '%s\n' "$line"
			continue;;
		esac
		echo 'n=$((n + 1))'
		case "$line" in
		*muni-smsgw\ -d*)
			# The daemon runs until stopped: alive after 3 s is
			# success.
			printf '%s > smsgw.out 2>&1 &\n' "${line%%#*}"
			printf 'pid=$!; sleep 3\n'
			printf 'kill -0 $pid || fail "line $n stopped: %s"\n' \
			    "$(echo "$line" | tr -d '"$')"
			printf 'kill $pid; wait $pid || :\n';;
		*'# refused'*)
			printf 'if %s\n' "$line"
			printf 'then fail "line $n was not refused"; fi\n';;
		*)
			printf '%s\n' "$line"
			printf 'rc=$?; [ $rc -eq 0 ] || fail "line $n: exit $rc"\n';;
		esac
	done < tour.txt
} > tour.sh
set +e
(. "$MUNI_TOP/tests/integration/lib.sh"; . ./tour.sh) > tour.out 2>&1
rc=$?
set -e
[ "$rc" -eq 0 ] || { cat tour.out >&2; fail "the tour failed"; }

# What the tour's comments promise.
expect_grep '^encoding=UCS-2 .*segments=1 cost=0.040' tour.out
expect_grep 'bad-residents.csv:2:1: ' tour.out
expect_eq "queue rows" "$(sql "select count(*) from queue_entries where
    child_code in ('325001-11111', '326002-22222')")" 2
expect_grep '^entries=3 matched=2 ' tour.out
expect_grep '^members=[1-9]' tour.out
expect_grep '^broadcast=' tour.out
expect_grep '^configuration OK' tour.out
expect_eq "fees paid" "$(sql "select count(*) from fees where reference in
    ('RF372026100001', 'RF102026100002') and paid_cents = amount_cents")" 2
expect_eq "semicolon fees" "$(sql "select count(*) from fees f join residents r
    on r.id = f.resident_id where r.personal_code = '329012-34567'")" 2
expect_eq "one institution per name" "$(sql "select count(*) from
    institutions")" 6
echo "tour: $(grep -c . tour.txt) lines ok"
