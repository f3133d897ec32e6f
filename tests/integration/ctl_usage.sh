#!/bin/sh
# ctl_usage: munictl's usage lines are written once, in munictl.c's command
# table. Every line a command prints when its arguments are wrong is a line
# of `munictl -h` (found: sms preview, sms send, import, pay and staff pin
# said one thing in -h and another on a mistake), the later lines of a
# command are aligned under "usage:" in each language, and no ctl_*.c file
# holds usage text of its own.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

write_conf
ctl init > /dev/null
MUNI_LANG=en ctl -h > h.out
sed -n 's/^  munictl //p' h.out > lines
[ "$(wc -l < lines)" -ge 30 ] || { cat h.out; fail "munictl -h lists too few lines"; }

# wrong ARGS...: the command fails with status 2 and usage lines, each of
# which -h lists too.
n=0
wrong() {
	rc=0
	MUNI_LANG=en ctl "$@" > /dev/null 2> u.err < /dev/null || rc=$?
	expect_eq "munictl $* exit status" "$rc" 2
	sed -n -e 's/^usage: munictl //p' -e 's/^       munictl //p' u.err > u.lines
	[ -s u.lines ] || { cat u.err; fail "munictl $*: no usage line"; }
	while IFS= read -r l; do
		grep -qxF -- "$l" lines ||
		    fail "munictl $*: '$l' is not a line of munictl -h"
		n=$((n + 1))
	done < u.lines
}
wrong init --bogus
wrong demo --bogus
wrong import statement --bogus
wrong import
wrong institution
wrong feekind add --bogus
wrong sms
wrong sms preview
wrong sms send --bogus
wrong sms status
wrong pay
wrong pay epc
wrong pay qr --bogus
wrong report frob
wrong report payments --bogus
wrong group
wrong group add
wrong group list x
wrong group show
wrong group members
wrong group remove
wrong broadcast
wrong broadcast preview --bogus
wrong broadcast send --bogus
wrong broadcast list --bogus
wrong broadcast cancel
wrong broadcast approve
wrong reminders
wrong backup
wrong restore
wrong staff
wrong staff add
wrong staff set
wrong staff list x
wrong staff disable
wrong staff enable
wrong staff approve
wrong audit --bogus
wrong api
wrong api token add
wrong api token list x
wrong api token revoke
wrong topic
wrong topic add
wrong topic set
wrong topic remove
wrong case
wrong case list --bogus
wrong case show
wrong case set

# A command's own lines, all of them and only them: sms send has two.
MUNI_LANG=en ctl sms send > /dev/null 2> send.err || :
expect_eq "sms send usage" "$(cat send.err)" "usage: munictl sms send [--validity S] [--encoding E] PHONE TEXT
       munictl sms send --batch FILE.csv"
# import is not import statement; report is not report payments.
MUNI_LANG=en ctl import > /dev/null 2> imp.err || :
expect_no_grep 'statement' imp.err
expect_eq "import usage lines" "$(wc -l < imp.err)" 2
MUNI_LANG=en ctl report frob > /dev/null 2> rep.err || :
expect_eq "report usage" "$(cat rep.err)" "usage: munictl report [--raw] [--csv] [--since DATE] [--until DATE]"
# Latvian: the later lines under the first, past "lietošana:".
ctl pay > /dev/null 2> pay_lv.err || :
expect_eq "pay usage (lv)" "$(cat pay_lv.err)" "lietošana: munictl pay epc [--full] FEE
           munictl pay qr [--full] [--svg FILE] FEE"

# Usage text lives in munictl.c only: a ctl_*.c names its lines by their
# words ("sms send"), never with options or arguments of its own.
t=$MUNI_TOP/smsgw
grep -n -E '(use[a-z_]*(\[\])? =$|use[a-z_]*(\[\])? = "[^"]*[^a-z "][^"]*")' \
    "$t"/ctl_*.c > own.txt || :
grep -n -E 'ctl_usage(_lines)?\([^)]*"[^"]*[^a-z "][^"]*"' "$t"/ctl_*.c >> own.txt || :
[ ! -s own.txt ] || { cat own.txt; fail "usage text outside munictl.c's table"; }
echo "ctl_usage: $n usage lines of wrong commands, all in munictl -h"
