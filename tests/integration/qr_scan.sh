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

. "$MUNI_TOP/tests/integration/lib.sh"	# qr_text_to_pgm, qr_decode

n=0
for txt in *.txt; do
	name=${txt%.txt}
	[ -f "$name.payload" ] || { echo "$name: no payload" >&2; exit 1; }
	qr_text_to_pgm "$txt" 0 >"$name.screen.pgm"
	qr_decode "$name.screen.pgm" >"$name.scanned" ||
	    { echo "$name: the screen does not scan" >&2; exit 1; }
	cmp "$name.payload" "$name.scanned" ||
	    { echo "$name: scanned bytes differ from the payload" >&2; exit 1; }
	qr_text_to_pgm "$txt" 1 >"$name.inverted.pgm"
	if qr_decode "$name.inverted.pgm" >/dev/null; then
		echo "$name: an inverted code scanned; the check proves nothing" >&2
		exit 1
	fi
	n=$((n + 1))
done
[ "$n" -ge 5 ] || { echo "only $n texts checked" >&2; exit 1; }

for pbm in *.pbm; do
	qr_decode "$pbm" | cmp "$pbm.payload" - ||
	    { echo "$pbm: does not scan as its payload" >&2; exit 1; }
done

# The kiosk's case: the short Latvian payload fits 80x24 in half blocks.
rows=$(wc -l <lv-short-half.txt)
cols=$(LC_ALL=C sed -e 's/█/F/g' -e 's/▀/U/g' -e 's/▄/L/g' lv-short-half.txt |
    LC_ALL=C awk '{ if (length($0) > c) c = length($0) } END { print c }')
[ "$rows" -le 24 ] && [ "$cols" -le 80 ] ||
    { echo "lv-short-half is ${cols}x$rows, not within 80x24" >&2; exit 1; }
echo "scanned $n texts light on dark; lv-short-half is ${cols}x$rows"
