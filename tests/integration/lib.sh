# lib.sh: helpers for integration scripts (sourced, not run). Each script
# runs in a fresh temporary directory with $MUNI_BIN set by tests/run.sh.

# Configurations written here may hold the SMSC password, and muni refuses
# a secret that others can read: every file a test makes is private from
# the start (not chmod-ed after a window of being readable).
umask 077

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

# expect_grep PATTERN FILE [WHAT]
expect_grep() {
	grep -q -- "$1" "$2" || { cat "$2" >&2; fail "${3:-$2}: no line matches '$1'"; }
}

expect_no_grep() {
	if grep -q -- "$1" "$2"; then cat "$2" >&2; fail "${3:-$2}: a line matches '$1'"; fi
}

# The test's databases. On SQLite (the default) database NAME is the file
# NAME.db in the current directory. When tests/run.sh runs the PostgreSQL
# half it exports MUNI_TEST_PG_DIR (the throwaway cluster's socket
# directory) and MUNI_TEST_PG_PREFIX (this script's own): database NAME is
# then PREFIXNAME on that cluster, made empty on first use.
pg_mode() {
	[ -n "${MUNI_TEST_PG_DIR:-}" ]
}

# sqlite_only REASON: a script about SQLite itself (its files, WAL, the
# backup of the file) ends here in the PostgreSQL half, saying why.
sqlite_only() {
	if pg_mode; then
		echo "SKIP (sqlite only): $1"
		exit 0
	fi
}

# pg_dbname NAME: PostgreSQL's name of test database NAME (a path below
# the current directory, without .db; anything but [a-z0-9_] becomes _).
pg_dbname() {
	_n=${1#"$PWD"/}
	_n=${_n%.db}
	printf '%s%s\n' "$MUNI_TEST_PG_PREFIX" "$_n" |
	    tr 'A-Z' 'a-z' | tr -c 'a-z0-9_\n' '_'
}

# db_conf [NAME]: the line of [database] that names test database NAME
# (muni by default; a path such as dir/muni names dir's own database).
db_conf() {
	_db=${1:-muni}
	if pg_mode; then
		_pg=$(pg_dbname "$_db")
		if [ -z "$(psql -X -Atq -h "$MUNI_TEST_PG_DIR" -U muni \
		    -d postgres -c "SELECT 1 FROM pg_database WHERE datname =
		    '$_pg'")" ]; then
			sh "$MUNI_TOP/tests/pg.sh" createdb "$MUNI_TEST_PG_DIR" \
			    "$_pg" >/dev/null || fail "createdb $_pg"
		fi
		echo "url = $(sh "$MUNI_TOP/tests/pg.sh" url "$MUNI_TEST_PG_DIR" \
		    "$_pg")"
	else
		case $_db in
		/*)	echo "path = ${_db%.db}.db" ;;
		*)	echo "path = $(pwd)/${_db%.db}.db" ;;
		esac
	fi
}

# A config pointing at the test's database.
write_conf() {
	cat > muni.conf <<CONF
[database]
$(db_conf)
CONF
}

ctl() {
	"$MUNI_BIN/munictl" -c muni.conf "$@"
}

# sql_in NAME QUERY: the rows of QUERY on test database NAME, columns
# joined by '|', as sqlite3 -noheader and psql -At both print them; waits
# (up to 5 s) for a running daemon's write to end rather than fail with
# "database is locked".
sql_in() {
	if pg_mode; then
		psql -X -Atq -v ON_ERROR_STOP=1 -h "$MUNI_TEST_PG_DIR" -U muni \
		    -d "$(pg_dbname "$1")" -c "$2"
	else
		case $1 in
		/*)	_f=${1%.db}.db ;;
		*)	_f=$(pwd)/${1%.db}.db ;;
		esac
		sqlite3 -batch -noheader -cmd '.timeout 5000' "$_f" "$2"
	fi
}

# sql QUERY: the same on the test's database.
sql() {
	sql_in muni "$1"
}

# sql_is WANT QUERY: whether QUERY's one value is WANT (for wait_for).
sql_is() {
	[ "$(sql "$2")" = "$1" ]
}

# qr_rows FILE: the code's rows from `munictl pay qr` output (the lines
# drawn between the light-on-dark escapes), with the escapes removed.
qr_rows() {
	LC_ALL=C sed -n 's/^\x1b\[97;40m\(.*\)\x1b\[0m$/\1/p' "$1"
}

# qr_text_to_pgm TEXT INVERTED: a plain PGM of the half-block text as a
# light-on-dark screen shows it (INVERTED=1: the wrong way round). Each
# character cell is 4 px wide and 8 px high, with three cells of screen
# background around the text.
qr_text_to_pgm() {
	LC_ALL=C sed -e 's/█/F/g' -e 's/▀/U/g' -e 's/▄/L/g' -e 's/ /S/g' "$1" |
	LC_ALL=C awk -v inv="$2" '
	{ line[NR] = $0; if (length($0) > cols) cols = length($0) }
	/[^FULS]/ { print "unexpected character in line " NR > "/dev/stderr"; bad = 1 }
	END {
		if (bad || NR == 0) exit 1
		s = 4; m = 3; rows = NR
		fg = inv ? 0 : 255; bg = inv ? 255 : 0
		w = (cols + 2 * m) * s; h = (rows + 2 * m) * 2 * s
		print "P2"; print w, h; print 255
		for (py = 0; py < h; py++) {
			r = int(py / (2 * s)) - m
			half = int((py % (2 * s)) / s)
			for (px = 0; px < w; px++) {
				c = int(px / s) - m
				ch = ""
				if (r >= 0 && r < rows && c >= 0)
					ch = substr(line[r + 1], c + 1, 1)
				lit = ch == "F" || (ch == "U" && half == 0) || (ch == "L" && half == 1)
				print (lit ? fg : bg)
			}
		}
	}'
}

# qr_decode IMAGE: the bytes zbarimg reads, as they are (no newline added).
qr_decode() {
	zbarimg --nodbus --raw -q -Sbinary "$1" 2>/dev/null
}

# A free loopback port, from the kernel (perl is there for Net::SMPP).
free_port() {
	perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1,
	    LocalAddr => "127.0.0.1", LocalPort => 0)->sockport, "\n"'
}

# wait_for SECONDS WHAT COMMAND...: poll every 0.1 s; at the end fail,
# through the script's own die (which shows its logs) when it has one.
wait_for() {
	t=$(($1 * 10)); what=$2; shift 2
	while ! "$@" >/dev/null 2>&1; do
		t=$((t - 1))
		if [ "$t" -le 0 ]; then
			if command -v die >/dev/null 2>&1; then
				die "timed out waiting for $what"
			fi
			fail "timed out waiting for $what"
		fi
		sleep 0.1
	done
}

# npm_smpp: the npm package smpp, pinned by the interop peers'
# package-lock.json, into build/npm: once, and again only when the lock
# changes; a lock file keeps two test runs from installing at once. Sets
# NODE_PATH. Returns non-zero when node, npm or the install fails.
npm_smpp() {
	_here=$MUNI_TOP/tests/integration/interop
	_dir=$MUNI_TOP/build/npm
	command -v node >/dev/null && command -v npm >/dev/null || return 1
	mkdir -p "$MUNI_TOP/build"
	(
		flock 9
		if ! cmp -s "$_here/package-lock.json" "$_dir/installed.lock" ||
		    [ ! -f "$_dir/node_modules/smpp/package.json" ]; then
			rm -rf "$_dir"
			mkdir -p "$_dir"
			cp "$_here/package.json" "$_here/package-lock.json" \
			    "$_dir/"
			npm ci --prefix "$_dir" --no-audit --no-fund \
			    --loglevel=error >npm.log 2>&1 || exit 1
			cp "$_here/package-lock.json" "$_dir/installed.lock"
		fi
	) 9>"$MUNI_TOP/build/npm.lock" || return 1
	export NODE_PATH="$_dir/node_modules"
}

# Staff tests need real Unix users (munictl takes the person from getuid).
# staff_unix NAME makes a throwaway user and sets $u_NAME to its login;
# staff_unix_cleanup (from a trap) removes them all. Root only: CI runs as
# root; elsewhere the caller prints SKIP. staff_share opens the test
# directory, database and configuration to those users.
staff_unix_users=""
staff_unix() {
	_u="mt$$$1"
	useradd -M -N -d /nonexistent -s /usr/sbin/nologin "$_u" ||
	    fail "useradd $_u"
	staff_unix_users="$staff_unix_users $_u"
	eval "u_$1=\$_u"
}

staff_unix_cleanup() {
	for _u in $staff_unix_users; do userdel "$_u" 2>/dev/null || :; done
	staff_unix_users=""
}

staff_share() {
	chmod 0777 .
	chmod 0644 muni.conf
	for _f in muni.db muni.db-wal muni.db-shm; do
		[ -e "$_f" ] && chmod 0666 "$_f"
	done
	# The cluster's socket, to those users too (its directory is 0700;
	# trust authentication, as for the database file opened above).
	if pg_mode; then
		chmod 0711 "$MUNI_TEST_PG_DIR"
	fi
	# A build made under umask 077 is root's alone: use a copy.
	mkdir -p shared
	cp "$MUNI_BIN/munictl" shared/munictl
	cp -R "$MUNI_LOCALEDIR" shared/locale
	chmod -R a+rX shared
}

# as_user LOGIN ARGS...: munictl as that Unix user.
as_user() {
	_u=$1
	shift
	runuser -u "$_u" -- env MUNI_LOCALEDIR="$PWD/shared/locale" \
	    "$PWD/shared/munictl" -c "$PWD/muni.conf" "$@"
}
