# lib.sh: helpers for integration scripts (sourced, not run). Each script
# runs in a fresh temporary directory with $MUNI_BIN set by tests/run.sh.

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

# A config pointing at a database in the current directory.
write_conf() {
	cat > muni.conf <<CONF
[database]
path = $(pwd)/muni.db
CONF
}

ctl() {
	"$MUNI_BIN/munictl" -c muni.conf "$@"
}

# sql QUERY: one value from the test database.
sql() {
	sqlite3 -batch -noheader muni.db "$1"
}
