#!/bin/sh
# sql_literals: no SQL text is built at run time. Every sqlite3_exec and
# sqlite3_prepare* in common/, smsgw/ and kiosk/ must get a string literal
# (or literals joined, or a ?: between literals), an entry of the statement
# table (store_sql[...].sql, whose STMT lines must themselves be literals)
# or an entry of an array of literals in the same file (migrations[...]).
# The few reviewed
# exceptions are listed below, each with its reason; a new call that fits
# none of these fails `make test`, naming FILE:LINE.
#
# First the checker proves it can fail: planted violations in temporary
# files must be caught, and lookalikes (in comments, in strings) not.
#
# Run by hand: sh tests/integration/sql_literals.sh [FILE.c ...]
set -eu
top=${MUNI_TOP:-$(pwd)}
. "$top/tests/integration/lib.sh"

# check FILE...: 0 when every call is fine, 1 with one line per violation.
check() {
	perl -e '
use strict;
use warnings;

# Reviewed exceptions: "file|argument" => why it is not input.
my %allowed = (
    "common/store.c|sql" =>
	"pragma_int(): a parameter; its callers are checked below",
    "common/store.c|drop" =>
	"store_fast_load(): DROP INDEX of a name read from sqlite_master, quoted with %w",
    "common/store.c|s->saved_idx[i + 1]" =>
	"store_fast_load(): index definitions read back from sqlite_master",
    "common/rule.c|c.sql" =>
	"the group-rule compiler: SQL from the grammar, every value bound",
);
# Functions that hand an argument (index from 0) on to SQLite.
my %calls = (sqlite3_exec => 1, pragma_int => 1);
my $bad = 0;
our %tables;

# C text with comments blanked (newlines kept, so lines still count) and
# every string literal made "S": what is inside one is not code.
sub uncomment {
	my ($t) = @_;
	$t =~ s{(/\*.*?\*/)|(//[^\n]*)|("(?:[^"\\\n]|\\.)*")|(\x27(?:[^\x27\\\n]|\\.)*\x27)}{
	    defined $1 ? "\n" x ($1 =~ tr/\n//) : defined $2 ? "" :
	    defined $3 ? "\"S\"" : "\x27c\x27" }gse;
	return $t;
}

# The arguments of the call whose "(" is at $pos, split at top-level commas.
sub args_at {
	my ($t, $pos) = @_;
	my ($depth, $cur, @args) = (0, "");
	for (my $i = $pos; $i < length $t; $i++) {
		my $c = substr($t, $i, 1);
		if ($c eq "\"" || $c eq "\x27") {
			my $q = $c;
			my $j = $i + 1;
			$j++ while $j < length $t && substr($t, $j, 1) ne $q &&
			    (substr($t, $j, 1) ne "\\" || ++$j);
			$cur .= substr($t, $i, $j - $i + 1);
			$i = $j;
			next;
		}
		if ($c eq "(" || $c eq "[" || $c eq "{") {
			$depth++;
			next if $depth == 1;
		} elsif ($c eq ")" || $c eq "]" || $c eq "}") {
			$depth--;
			if ($depth == 0) { push @args, $cur; return @args; }
		} elsif ($c eq "," && $depth == 1) {
			push @args, $cur;
			$cur = "";
			next;
		}
		$cur .= $c;
	}
	return @args;
}

my $lit = qr/(?:"(?:[^"\\\n]|\\.)*"\s*)+/;
sub literal { return $_[0] =~ /^\s*$lit$/ }
sub fine {
	my ($a) = @_;
	return 1 if literal($a);
	return 1 if $a =~ /^\s*[^?]+\?\s*$lit:\s*$lit$/;	# cond ? "a" : "b"
	return 1 if $a =~ /^\s*store_sql\[[^\]]+\]\.sql\s*$/;
	return 1 if $a =~ /^\s*(\w+)\[[^\]]+\]\s*$/ && $tables{$1};
	return 0;
}

for my $f (@ARGV) {
	open(my $fh, "<", $f) or die "$f: $!\n";
	my $t = uncomment(do { local $/; <$fh> });
	close $fh;
	(my $rel = $f) =~ s{^\Q$ENV{TOP}\E/}{};
	# Tables of literals (migrations[], ...): an entry of one is fine.
	%tables = ();
	while ($t =~ /\b(\w+)\s*\[\s*\]\s*=\s*\{(.*?)\};/sg) {
		my ($name, $body) = ($1, $2);
		$tables{$name} = 1 if ($body =~ s/$lit//gr) =~ /^[\s,]*$/ &&
		    $body =~ /"/;
	}
	while ($t =~ /\b(sqlite3_prepare\w*|sqlite3_exec|pragma_int)\s*\(/g) {
		my ($fn, $at) = ($1, pos($t) - 1);
		my $line = 1 + (substr($t, 0, $at) =~ tr/\n//);
		my @a = args_at($t, $at);
		# A definition or declaration, not a call.
		next if $fn eq "pragma_int" && @a > 0 && $a[0] =~ /\bsqlite3\s*\*/;
		my $arg = $a[exists $calls{$fn} ? $calls{$fn} : 1] // "";
		(my $norm = $arg) =~ s/\s+/ /g;
		$norm =~ s/^ | $//g;
		next if fine($norm) || exists $allowed{"$rel|$norm"};
		print "$rel:$line: $fn gets SQL built at run time: $norm\n";
		$bad = 1;
	}
	# The statement table must hold literals only, both texts of STMT2.
	while ($t =~ /^STMT(2?)\s*\(/mg) {
		my $two = $1;
		my $line = 1 + (substr($t, 0, pos($t)) =~ tr/\n//);
		my @a = args_at($t, pos($t) - 1);
		next if @a == ($two ? 3 : 2) &&
		    !grep { !literal($_) } @a[1 .. $#a];
		print "$rel:$line: a STMT$two line whose SQL is not a literal\n";
		$bad = 1;
	}
}
exit $bad;
' "$@"
}

# --- The checker first: it must catch what is planted, and only that.
mkdir -p plant/common
cat > plant/common/bad1.c <<'C'
int
find(sqlite3 *db, const char *name)
{
	char	*q = sqlite3_mprintf("SELECT id FROM t WHERE n = '%q'", name);

	return sqlite3_exec(db, q, NULL, NULL, NULL);
}
C
cat > plant/common/bad2.c <<'C'
static int
count(sqlite3 *db, const char *table)
{
	char		 buf[128];
	sqlite3_stmt	*st;

	snprintf(buf, sizeof(buf), "SELECT count(*) FROM %s", table);
	if (sqlite3_prepare_v2(db,
	    buf, -1, &st, NULL) != SQLITE_OK)
		return -1;
	return pragma_int(db, buf, &n);
}
C
cat > plant/common/bad3.c <<'C'
STMT(ST_FINE, "SELECT 1")
STMT(ST_PLANTED, SQL_FROM_ELSEWHERE)
STMT2(ST_FINE2, "SELECT 1", "SELECT 1")
STMT2(ST_PLANTED2, "SELECT 1", PG_FROM_ELSEWHERE)
STMT2(ST_PLANTED3, "SELECT 1")
C
cat > plant/common/good.c <<'C'
/* sqlite3_exec(db, q, NULL, NULL, NULL) in a comment is not a call. */
// nor is sqlite3_prepare_v2(db, buf, -1, &st, NULL) here
static const char *migrations[] = {
	/* a comment, then literals */
	"CREATE TABLE a (x);"
	"CREATE TABLE b (y);",
	"ALTER TABLE a ADD z;",
};
int
ok(sqlite3 *db, int on)
{
	const char *s = "sqlite3_exec(db, q, NULL, NULL, NULL)";

	(void)pragma_int(db, "PRAGMA user_version", &v);
	(void)sqlite3_exec(db, on ? "PRAGMA a = 1" : "PRAGMA a = 2", NULL,
	    NULL, NULL);
	(void)sqlite3_exec(db, "BEGIN;"
	    "COMMIT", NULL, NULL, NULL);
	(void)sqlite3_exec(db, migrations[v], NULL, NULL, NULL);
	return sqlite3_prepare_v3(db, store_sql[i].sql, -1, 0, &st, NULL);
}
C
# pragma_int() hands its parameter on: reviewed in store.c, nowhere else.
cat > plant/common/wrapper.c <<'C'
static int
pragma_int(sqlite3 *db, const char *sql, int *out)
{
	return sqlite3_prepare_v2(db, sql, -1, &st, NULL);
}
C
cat plant/common/good.c plant/common/wrapper.c > plant/common/store.c
sed 's/"ALTER TABLE a ADD z;",/"ALTER TABLE a ADD z;", extra_sql,/' \
    plant/common/good.c > plant/common/bad4.c

export TOP="$PWD/plant"
for f in bad1 bad2 bad3 bad4; do
	if check "$PWD/plant/common/$f.c" > "$f.out"; then
		fail "the planted violation in $f.c was not caught"
	fi
done
expect_grep '^common/bad1.c:6: sqlite3_exec gets SQL built at run time: q$' bad1.out
expect_grep '^common/bad2.c:8: sqlite3_prepare_v2 gets SQL built at run time: buf$' bad2.out
expect_grep '^common/bad2.c:11: pragma_int gets SQL built at run time: buf$' bad2.out
expect_grep '^common/bad3.c:2: a STMT line' bad3.out
expect_grep '^common/bad3.c:4: a STMT2 line' bad3.out
expect_grep '^common/bad3.c:5: a STMT2 line' bad3.out
expect_no_grep 'ST_FINE\|:1: \|:3: ' bad3.out
expect_grep '^common/bad4.c:19: sqlite3_exec gets SQL built at run time: migrations\[v\]$' bad4.out
check "$PWD/plant/common/good.c" > good.out || { cat good.out; fail "good.c refused"; }
check "$PWD/plant/common/store.c" > store.out || { cat store.out; fail "store.c refused"; }
if check "$PWD/plant/common/wrapper.c" > wrapper.out; then
	fail "an exception of store.c was taken for another file"
fi
expect_grep '^common/wrapper.c:4: sqlite3_prepare_v2 gets SQL built at run time: sql$' wrapper.out

# --- The real tree.
export TOP="$top"
if [ $# -gt 0 ]; then
	check "$@"
	exit
fi
files=$(find "$top/common" "$top/smsgw" "$top/kiosk" -name '*.[ch]' | sort)
[ -n "$files" ] || fail "no sources found under $top"
# shellcheck disable=SC2086
check $files > tree.out || { cat tree.out; fail "SQL built at run time (above)"; }
n=$(cat $files | grep -c 'sqlite3_exec\|sqlite3_prepare' || :)
[ "$n" -gt 10 ] || fail "only $n calls seen: is the tree there?"
echo "sql_literals: $n calls checked, none built at run time"
