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
