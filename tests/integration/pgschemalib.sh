# pgschemalib.sh: what pg_schema.sh and pg_stmts.sh share (sourced after
# lib.sh): a throwaway PostgreSQL cluster of their own (tests/pg.sh), a
# database in it at muni's schema, and tests/integration/pg_sql.c built
# from the headers of the tree under test.

# Outside the test's directory: as root the cluster runs as 'postgres',
# who cannot enter a directory that only root may.
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/muni-pg.XXXXXX")
pg_stop() {
	sh "$MUNI_TOP/tests/pg.sh" stop "$pgdir" 2>/dev/null || :
}
trap pg_stop EXIT
trap 'exit 1' INT TERM
sh "$MUNI_TOP/tests/pg.sh" start "$pgdir" ||
    fail "no PostgreSQL cluster (tests/pg.sh start; packages: make deps)"

# pg DB ARG...: psql on database DB, unaligned and without headers.
pg() {
	_db=$1
	shift
	sh "$MUNI_TOP/tests/pg.sh" psql "$pgdir" "$_db" -A -t "$@"
}

# pg_createdb NAME: a fresh database; prints its connection URL.
pg_createdb() {
	sh "$MUNI_TOP/tests/pg.sh" createdb "$pgdir" "$1"
}

# The checker, from this tree's headers.
${CC:-cc} -std=c11 -Wall -Wextra -Werror -I"$MUNI_TOP/common" \
    $(pkg-config --cflags libpq) -o pg_sql "$MUNI_TOP/tests/integration/pg_sql.c" \
    $(pkg-config --libs libpq) -lsqlite3 > pg_sql.err 2>&1 ||
    { cat pg_sql.err >&2; fail "pg_sql.c does not build"; }

# pg_schema_db NAME: a fresh database at muni's schema, every entry of
# pg_migrations[] run in order (one transaction, so a failing entry
# leaves nothing behind); prints its URL.
pg_schema_db() {
	_url=$(pg_createdb "$1") || fail "createdb $1"
	./pg_sql schema > "$1.sql" || fail "pg_sql schema"
	pg "$1" -1 -f "$1.sql" > "$1.out" 2>&1 ||
	    { cat "$1.out" >&2; fail "pg_migrations[] does not run"; }
	echo "$_url"
}

# pg_link NAME: tests/integration/NAME.c built into ./NAME and linked with
# the libmuni.a of the build under test, with the flags the Makefile
# states for it (a sanitizer build's runtime too).
pg_link() {
	_build=$(dirname "$MUNI_BIN")
	_san=
	case $_build in */san) _san=SANITIZE=1;; esac
	_libs=$(printf 'muni_print_libs:\n\t@echo $(LDFLAGS) $(LIBS_COMMON)\n' |
	    make -s --no-print-directory -C "$MUNI_TOP" -f Makefile -f - \
	    $_san muni_print_libs) || fail "the Makefile's libraries"
	${CC:-cc} -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE \
	    -I"$MUNI_TOP/common" $(pkg-config --cflags libpq) -o "$1" \
	    "$MUNI_TOP/tests/integration/$1.c" "$_build/libmuni.a" \
	    $(pkg-config --libs libpq) $_libs > "$1.err" 2>&1 ||
	    { cat "$1.err" >&2; fail "$1.c does not build"; }
}
