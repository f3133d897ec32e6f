#!/bin/sh
# secrets: muni refuses a secret that others can read — an SMSC password
# ([smsc] or any [smsc.NAME]) or the staff PIN hash in muni.conf, the
# [http] token_file (mode 600: not even the group) — and names the chmod
# that fixes it; that chmod is
# enough. muni-smsgw -n, munictl, and a reload (SIGHUP) of a running
# gateway, which keeps its old configuration.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
# The messages are checked in English (ctl_lang.sh has them in Latvian).
export MUNI_LANG=en

B=$MUNI_BIN
gwpid=""
trap '[ -z "$gwpid" ] || { kill "$gwpid" 2>/dev/null; wait "$gwpid" 2>/dev/null; } || :' EXIT

conf() {
	cat > muni.conf <<CONF
[database]
$(db_conf)
[smsc]
port = $(free_port)
password = s3cret
reconnect_min_s = 1
reconnect_max_s = 2
[http]
listen = 127.0.0.1:$(free_port)
$1
CONF
}

# refused WHAT CMD...: CMD fails, and says which chmod fixes it.
refused() {
	what=$1; shift
	if "$@" > out 2> err; then cat out err; fail "$what: accepted"; fi
	expect_grep "^muni.conf:[0-9]*: " err "$what"
	expect_no_grep 's3cret' err "$what"
}

# The test's own files are private (lib.sh), so make one readable on purpose.
conf ""
chmod 600 muni.conf
ctl init > /dev/null
"$B/muni-smsgw" -c muni.conf -n > out || fail "-n with mode 600"
expect_grep '^configuration OK$' out

chmod 644 muni.conf
refused "muni-smsgw -n" "$B/muni-smsgw" -c muni.conf -n
expect_grep "smsc.password is a secret and the file is readable by others: run \`chmod 640 $PWD/muni.conf\`" err
refused "munictl report" ctl report
expect_grep "chmod 640 $PWD/muni.conf" err
refused "muni-smsgw -d" "$B/muni-smsgw" -c muni.conf -d

# The fix is the command in the message, run as it is written.
fix=$(sed -n 's/.*run `\(chmod [0-7]* [^`]*\)`.*/\1/p' err | head -n 1)
expect_eq "the fix" "$fix" "chmod 640 $PWD/muni.conf"
$fix
"$B/muni-smsgw" -c muni.conf -n > out || fail "-n after $fix"
ctl report > /dev/null || fail "munictl after $fix"

# Readable by others but not by the group: 600.
chmod 604 muni.conf
refused "mode 604" "$B/muni-smsgw" -c muni.conf -n
expect_grep "chmod 600 $PWD/muni.conf" err
chmod 602 muni.conf
refused "mode 602" "$B/muni-smsgw" -c muni.conf -n
expect_grep "writable by others" err

# No secret, nothing to refuse: the same file without its password.
sed -i 's/^password = .*/password =/' muni.conf
chmod 644 muni.conf
"$B/muni-smsgw" -c muni.conf -n > out || fail "no password, mode 644"

# A named bind's password is as secret as [smsc]'s.
conf "[smsc.backup]
port = $(free_port)
password = s3cret
reconnect_min_s = 1
reconnect_max_s = 2"
sed -i '0,/^password = .*/s//password =/' muni.conf
chmod 644 muni.conf
refused "[smsc.backup] password" "$B/muni-smsgw" -c muni.conf -n
expect_grep "smsc.backup.password is a secret and the file is readable by others" err
chmod 640 muni.conf
"$B/muni-smsgw" -c muni.conf -n > out || fail "[smsc.backup] with mode 640"

# The staff PIN hash is a secret too.
conf "[kiosk]
staff_pin_hash = 0123abcd"
sed -i 's/^password = .*/password =/' muni.conf
chmod 644 muni.conf
refused "staff_pin_hash" "$B/muni-smsgw" -c muni.conf -n
expect_grep "kiosk.staff_pin_hash is a secret" err

# The token file, wherever it lives.
printf 't0ken-for-the-api-0123\n' > token
conf "token_file = $PWD/token"
chmod 600 muni.conf
chmod 644 token
refused "token_file 644" "$B/muni-smsgw" -c muni.conf -n
expect_grep "http.token_file: the token file $PWD/token is readable by others: run \`chmod 600 $PWD/token\` (the gateway's user alone may read it)" err
expect_no_grep 't0ken' err
# One rule for the token: the gateway's user alone (the group has the
# kiosks in it). 640 is refused by -n and at start alike, with one
# message and no warning after it.
chmod 640 token
tokmsg="http.token_file: the token file $PWD/token is readable by its group: run \`chmod 600 $PWD/token\` (the gateway's user alone may read it)"
refused "token_file 640" "$B/muni-smsgw" -c muni.conf -n
expect_grep "$tokmsg" err
refused "token_file 640 at start" "$B/muni-smsgw" -c muni.conf -d
expect_grep "$tokmsg" err
expect_eq "lines about the token at start" "$(grep -c token err)" 1
chmod 600 token
"$B/muni-smsgw" -c muni.conf -n > out || fail "token file 600"

# A running gateway (no SMSC there: it keeps reconnecting) refuses to
# reload a file that became readable, and keeps running on the old one.
"$B/muni-smsgw" -c muni.conf -d 2> gw.err &
gwpid=$!
wait_for 10 "the gateway's start" grep -q 'starting' gw.err
chmod 644 muni.conf
kill -HUP "$gwpid"
wait_for 10 "the reload's refusal" grep -q 'the configuration stays as it was' gw.err
expect_grep "reload: .*chmod 640 $PWD/muni.conf" gw.err
kill -0 "$gwpid" || fail "the gateway died on a refused reload"
chmod 640 muni.conf
# The token's rule at a reload is the same, in the same words.
chmod 640 token
kill -HUP "$gwpid"
wait_for 10 "the token's refusal" grep -q "reload: .*$tokmsg" gw.err
chmod 600 token
kill -HUP "$gwpid"
wait_for 10 "the reload" grep -q 'configuration reloaded' gw.err
kill "$gwpid"
wait "$gwpid" || fail "the gateway's exit status"
gwpid=""
expect_no_grep 's3cret' gw.err
echo "secrets: ok"
