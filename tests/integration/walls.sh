#!/bin/sh
# walls: the walls DESIGN draws, for what compile flags cannot enforce
# (the Makefile gives each library's flags only to the objects that may use
# it, but sqlite3.h is in /usr/include, where every file finds it). Only
# common/store*.[ch] and common/backup.c know SQLite (include <sqlite3.h>,
# name sqlite3_* or SQLITE_*), only common/store_pg.c knows libpq (include
# <libpq-fe.h>, call PQ*()), only smsgw/pdu*.[ch] include libsmpp34's
# headers, only kiosk/ui.c includes curses, only kiosk/speech.c espeak-ng
# and ALSA. Comments may name them. The
# check is shown to fail on a planted include in a scratch copy of the tree.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

# may FILE WALL: 0 when FILE is allowed through WALL.
may() {
	case $2:$1 in
	sqlite:common/store*.[ch] | sqlite:common/backup.c) return 0;;
	pq:common/store_pg.c) return 0;;
	smpp:smsgw/pdu*.[ch]) return 0;;
	curses:kiosk/ui.c) return 0;;
	speech:kiosk/speech.c) return 0;;
	esac
	return 1
}

# code FILE: FILE without its /* */ and // comments.
code() {
	perl -0777 -pe 's{/\*.*?\*/}{ }gs; s{//[^\n]*}{}g' "$1"
}

# What each wall keeps in (extended regular expressions over code).
inc='#[[:space:]]*include[[:space:]]*'
re_sqlite="$inc<sqlite3\\.h>|\\bsqlite3_[a-z0-9_]+|\\bSQLITE_[A-Z]"
re_smpp="$inc[<\"]smpp34"
# The SQLite store's own handles (store_db, store_stmt) are for the store
# and white-box tests; the domain has store.h.
re_storesql="$inc\"store_(sqlite|priv)\\.h\""
re_pq="$inc<(postgresql/)?libpq-fe\\.h>|\\bPQ[a-z][A-Za-z]*[[:space:]]*\\("
re_speech="$inc<(espeak-ng/|espeak/|alsa/)"
re_curses="$inc<((ncursesw|ncurses)/)?n?curses\\.h>|$inc<(term|panel|menu|form)\\.h>"

# check ROOT: prints each file of ROOT that breaks a wall; 1 if any does.
check() {
	bad=0
	for f in "$1"/common/*.[ch] "$1"/smsgw/*.[ch] "$1"/kiosk/*.[ch] \
	    "$1"/tests/*/*.[ch]; do
		[ -f "$f" ] || continue
		rel=${f#"$1"/}
		code "$f" > code.txt
		case $rel in
		tests/*) ;;
		*)	if { grep -qE "$re_sqlite" code.txt ||
			    grep -qE "$re_storesql" code.txt; } &&
			    ! may "$rel" sqlite; then
				echo "$rel: SQLite outside the store"; bad=1
			fi;;
		esac
		if grep -qE "$re_pq" code.txt && ! may "$rel" pq; then
			case $rel in
			tests/*) ;;
			*) echo "$rel: libpq outside common/store_pg.c"; bad=1;;
			esac
		fi
		if grep -qE "$re_smpp" code.txt && ! may "$rel" smpp; then
			echo "$rel: libsmpp34 outside smsgw/pdu*.c"; bad=1
		fi
		if grep -qE "$re_speech" code.txt && ! may "$rel" speech; then
			echo "$rel: espeak-ng or ALSA outside kiosk/speech.c"; bad=1
		fi
		if grep -qE "$re_curses" code.txt && ! may "$rel" curses; then
			echo "$rel: curses outside kiosk/ui.c"; bad=1
		fi
	done
	return $bad
}

check "$MUNI_TOP" > walls.out || { cat walls.out; fail "a wall is broken"; }

# The check can fail: each wall, broken in a scratch copy of the tree.
mkdir scratch
cp -R "$MUNI_TOP/common" "$MUNI_TOP/smsgw" "$MUNI_TOP/kiosk" scratch/
mkdir scratch/tests
# plant FILE LINE WANT: FILE with LINE added fails the check with WANT.
plant() {
	cp "scratch/$1" saved
	printf '%s\n' "$2" >> "scratch/$1"
	if check scratch > planted.out; then
		cp saved "scratch/$1"
		fail "'$2' in $1 passed the check"
	fi
	expect_grep "^$1: $3" planted.out
	cp saved "scratch/$1"
}
plant common/util.c '#include <sqlite3.h>' 'SQLite outside the store'
plant kiosk/pager.c 'static int x(void *db) { return sqlite3_close(db); }' \
    'SQLite outside the store'
plant common/fees.c 'int y = SQLITE_BUSY;' 'SQLite outside the store'
plant common/outbox.c '#include "store_sqlite.h"' 'SQLite outside the store'
plant common/outbox.c '#include "store_priv.h"' 'SQLite outside the store'
plant common/store.c '#include <libpq-fe.h>' 'libpq outside'
plant smsgw/gw_esme.c 'static void z(void *c) { PQfinish(c); }' 'libpq outside'
plant smsgw/gw_esme.c '#include <smpp34.h>' 'libsmpp34 outside'
plant kiosk/screens.c '#include <ncursesw/curses.h>' 'curses outside'
plant kiosk/kiosk.c '#include <curses.h>' 'curses outside'
plant kiosk/nav.c '#include <espeak-ng/speak_lib.h>' 'espeak-ng or ALSA outside'
plant kiosk/ui.c '#include <alsa/asoundlib.h>' 'espeak-ng or ALSA outside'
# ... and a comment that names them is no breach.
plant_ok() {
	printf '%s\n' "$2" >> "scratch/$1"
	check scratch > ok.out || { cat ok.out; fail "a comment in $1 broke a wall"; }
}
plant_ok common/util.c '/* not sqlite3_step() nor <sqlite3.h> */'
echo "walls: SQLite, libpq, libsmpp34, curses, espeak-ng and ALSA in their rooms"
