#!/bin/sh
# qr_scan.sh: the QR text a kiosk draws scans, checked from outside the C
# code. test_qr leaves its payloads, half-block and double-width texts and
# matrix images here (MUNI_QR_DUMP); this script paints each text the way a
# light-on-dark terminal shows it (glyph ink light, background dark) with
# sed and awk alone, and zbarimg must read back the payload byte for byte.
# The same text painted the other way round must not scan.
set -eu

bin=$(dirname "${MUNI_BIN:?MUNI_BIN not set}")/tests/test_qr
if [ ! -x "$bin" ]; then
	echo "$bin is not built: make test builds the unit tests" >&2
	exit 1
fi
command -v zbarimg >/dev/null || { echo "zbarimg missing: zbar-tools" >&2; exit 1; }

MUNI_QR_DUMP=$PWD "$bin" >test_qr.log 2>&1 || { cat test_qr.log; exit 1; }

# text_to_pgm TEXT INVERTED: a plain PGM of the screen. Each character
# cell is 4 px wide and 8 px high (its upper and lower half), with three
# cells of screen background around the text.
text_to_pgm() {
	LC_ALL=C sed -e 's/█/F/g' -e 's/▀/U/g' -e 's/▄/L/g' -e 's/ /S/g' "$1" |
	LC_ALL=C awk -v inv="$2" '
	{ line[NR] = $0; if (length($0) > cols) cols = length($0) }
	/[^FULS]/ { print "unexpected character in line " NR > "/dev/stderr"; bad = 1 }
	END {
		if (bad) exit 1
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

scan() {
	zbarimg --nodbus --raw -q -Sbinary "$1" 2>/dev/null
}

n=0
for txt in *.txt; do
	name=${txt%.txt}
	[ -f "$name.payload" ] || { echo "$name: no payload" >&2; exit 1; }
	text_to_pgm "$txt" 0 >"$name.screen.pgm"
	scan "$name.screen.pgm" >"$name.scanned" ||
	    { echo "$name: the screen does not scan" >&2; exit 1; }
	cmp "$name.payload" "$name.scanned" ||
	    { echo "$name: scanned bytes differ from the payload" >&2; exit 1; }
	text_to_pgm "$txt" 1 >"$name.inverted.pgm"
	if scan "$name.inverted.pgm" >/dev/null; then
		echo "$name: an inverted code scanned; the check proves nothing" >&2
		exit 1
	fi
	n=$((n + 1))
done
[ "$n" -ge 5 ] || { echo "only $n texts checked" >&2; exit 1; }

for pbm in *.pbm; do
	scan "$pbm" | cmp "$pbm.payload" - ||
	    { echo "$pbm: does not scan as its payload" >&2; exit 1; }
done

# The kiosk's case: the short Latvian payload fits 80x24 in half blocks.
rows=$(wc -l <lv-short-half.txt)
cols=$(LC_ALL=C sed -e 's/█/F/g' -e 's/▀/U/g' -e 's/▄/L/g' lv-short-half.txt |
    LC_ALL=C awk '{ if (length($0) > c) c = length($0) } END { print c }')
[ "$rows" -le 24 ] && [ "$cols" -le 80 ] ||
    { echo "lv-short-half is ${cols}x$rows, not within 80x24" >&2; exit 1; }
echo "scanned $n texts light on dark; lv-short-half is ${cols}x$rows"
