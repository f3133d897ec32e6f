#!/bin/sh
# man_pages: every man page (smsgw/*.8, kiosk/*.8, conf/*.5) renders with
# `man -l` and with groff's warnings on (-ww) without a single warning, and
# says what the code does: muni.conf(5) and the sample conf/muni.conf name
# every key of CONFIG_KEYS with its section, and muni.conf(5) gives each
# key's default and bounds as the table has them; munictl(8) every command of
# munictl's table; each program's page every option of its getopt string.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

t=$MUNI_TOP
command -v groff > /dev/null || fail "groff missing (make deps)"
command -v man > /dev/null || fail "man missing (make deps)"

# render PAGE: 0 when both renderers are silent.
render() {
	: > "$2"
	groff -mandoc -ww -z -K utf8 -Tutf8 "$1" >> "$2" 2>&1
	MANWIDTH=80 man --warnings=w -l "$1" 2>> "$2" > "$2.txt"
	[ ! -s "$2" ] && [ -s "$2.txt" ]
}

pages=$(ls "$t"/smsgw/*.8 "$t"/kiosk/*.8 "$t"/conf/*.5)
n=0
for p in $pages; do
	b=$(basename "$p")
	render "$p" "$b.warn" || { cat "$b.warn"; fail "$b: warnings"; }
	n=$((n + 1))
done
[ "$n" -ge 4 ] || fail "only $n man pages"
for b in muni-smsgw.8 munictl.8 muni-kiosk.8 muni.conf.5; do
	[ -s "$b.warn.txt" ] || fail "no $b"
done

# The check can fail: a list left open, an unknown macro.
printf '.Dd November 28, 2026\n.Dt BAD 8\n.Os\n.Sh NAME\n.Nm bad\n.Nd bad\n.Bl -tag -width Ds\n.It x\n.Xx\n' > bad.8
render bad.8 bad.warn && fail "a broken page rendered silently"

# Every configuration key, in its section, in muni.conf(5) and the sample.
sed -n 's/^[[:space:]]*X([A-Z_0-9]*, *"\([a-z_]*\)", *"\([a-z_0-9]*\)".*/\1 \2/p' \
    "$t/common/config.h" > keys
[ "$(wc -l < keys)" -ge 30 ] || { cat keys; fail "CONFIG_KEYS not read"; }
while read -r sec key; do
	awk -v s="[$sec]" -v k="$key" '
	    /^\.Ss / { in_s = ($2 == s) }
	    in_s && $1 == ".It" && $2 == "Ic" && $3 == k { found = 1 }
	    END { exit !found }' "$t/conf/muni.conf.5" ||
	    fail "muni.conf.5: no '.It Ic $key' under '.Ss [$sec]'"
	awk -v s="[$sec]" -v k="$key" '
	    /^\[/ { in_s = ($1 == s) }
	    in_s && $1 == k && $2 == "=" { found = 1 }
	    END { exit !found }' "$t/conf/muni.conf" ||
	    fail "conf/muni.conf: no '$key =' in [$sec]"
done < keys

# Each key's default and bounds, as CONFIG_KEYS has them, in its entry
# of muni.conf(5): "Default: VALUE" (or "Default: empty"), "MIN to MAX"
# for numbers and texts (texts that may be empty: "at most MAX").
perl -0ne 's/\\\n/ /g;
    while (/X\(\w+,\s*"(\w+)",\s*"(\w+)",\s*(\w+),\s*"([^"]*)",\s*(-?\d+),\s*(-?\d+)\)/g) {
	print "$1|$2|$3|$4|$5|$6\n" }' "$t/common/config.h" > defaults
expect_eq "defaults read" "$(wc -l < defaults)" "$(wc -l < keys)"
while IFS='|' read -r sec key type def min max; do
	# The entry: from ".It Ic key" under ".Ss [sec]" to the next .It/.El.
	awk -v s="[$sec]" -v k="$key" '
	    /^\.Ss / { in_s = ($2 == s); next }
	    in_s && $1 == ".It" && $2 == "Ic" && $3 == k { on = 1; next }
	    on && ($1 == ".It" || $1 == ".El") { exit }
	    on { sub(/^\.[A-Z][a-z] /, ""); print }' "$t/conf/muni.conf.5" |
	    tr '\n' ' ' > entry
	if [ -z "$def" ]; then
		grep -q 'Default: empty' entry ||
		    fail "muni.conf.5 [$sec] $key: no 'Default: empty': $(cat entry)"
	else
		grep -qF -- "Default: $def" entry ||
		    fail "muni.conf.5 [$sec] $key: no 'Default: $def': $(cat entry)"
	fi
	case $type in
	INT|PRICE) want="$min to $max";;
	STR|SECRET) if [ "$min" -eq 0 ]; then want="at most $max"; else
		want="$min to $max"; fi;;
	*) want="";;
	esac
	[ -z "$want" ] || grep -qF -- "$want" entry ||
	    fail "muni.conf.5 [$sec] $key: no '$want': $(cat entry)"
done < defaults

# Every munictl command (the first word or two of its table).
sed -n 's/^[[:space:]]*{ "\([a-z ]*\)", ctl_.*/\1/p' "$t/smsgw/munictl.c" > cmds
[ "$(wc -l < cmds)" -ge 8 ] || fail "munictl's commands not read"
while read -r first second; do
	grep -q "^\.It Cm $first\b.*${second:+\b$second\b}" "$t/smsgw/munictl.8" ||
	    fail "munictl.8: no '.It Cm $first${second:+ $second}'"
done < cmds

# Every option letter of each program's getopt string.
opts() {
	sed -n 's/.*getopt(argc, argv, "+*\([a-zA-Z:]*\)").*/\1/p' "$1" | tr -d ':' |
	    sed 's/./& /g'
}
for pair in smsgw/smsgw.c:smsgw/muni-smsgw.8 smsgw/munictl.c:smsgw/munictl.8 \
    kiosk/kiosk.c:kiosk/muni-kiosk.8; do
	src=$t/${pair%%:*}; page=$t/${pair#*:}
	for o in $(opts "$src"); do
		grep -q "^\.It Fl $o\b" "$page" ||
		    fail "$(basename "$page"): option -$o of $(basename "$src") not described"
	done
done
echo "man_pages: $n pages, $(wc -l < keys) keys, $(wc -l < cmds) commands"
