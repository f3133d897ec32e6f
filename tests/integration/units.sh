#!/bin/sh
# units: the systemd units, sysusers.d and tmpfiles.d files as `make
# install` writes them. Installed into a temporary PREFIX (so every
# ExecStart and man: page resolves), `systemd-analyze verify` must accept
# muni-smsgw.service and an instance of muni-kiosk@.service with no
# warning at all; systemd-sysusers and systemd-tmpfiles, on a temporary
# root, make the users, the group membership and the directories. The
# sandbox's exposure score is printed for the record.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
. "$MUNI_TOP/tests/integration/install_lib.sh"
# The units themselves are the same on both engines; the store's part is
# the backup service's copy of the file and a database file made anew.
sqlite_only "the backup service copies the SQLite file"

command -v systemd-analyze > /dev/null || fail "systemd-analyze missing (make deps)"
r=$PWD/root
muni_install install PREFIX="$r/usr" SYSCONFDIR="$r/etc" DESTDIR=
u=$r/usr/lib/systemd/system
[ -f "$u/muni-smsgw.service" ] || fail "muni-smsgw.service not installed"
[ -f "$u/muni-kiosk@.service" ] || fail "muni-kiosk@.service not installed"

# The paths were rewritten for this PREFIX, every one.
expect_grep "^ExecStart=$r/usr/sbin/muni-smsgw -d -c $r/etc/muni/muni.conf\$" \
    "$u/muni-smsgw.service"
expect_grep "^ExecStart=$r/usr/bin/muni-kiosk -c $r/etc/muni/muni.conf -T \${MUNI_KIOSK_NAME}\$" \
    "$u/muni-kiosk@.service"
grep -h '^Exec' "$u/muni-smsgw.service" "$u/muni-kiosk@.service" \
    "$u/muni-backup.service" | sed "s|^ExecStart=/bin/sh -c 'exec |ExecStart=|" |
    grep -v "^Exec[A-Za-z]*=$r/usr/s*bin/muni[-a-z]* \(.* \)*-c $r/etc/muni/muni.conf\|=/bin/kill " \
    > stray.out || :
[ ! -s stray.out ] || { cat stray.out; fail "a path not rewritten for PREFIX"; }

# verify: silent, or it failed. The template through an instance of it.
mkdir inst
ln -s "$u/muni-kiosk@.service" "inst/muni-kiosk@tty2.service"
export MANPATH="$r/usr/share/man"
for unit in "$u/muni-smsgw.service" "$PWD/inst/muni-kiosk@tty2.service" \
    "$u/muni-backup.service" "$u/muni-backup.timer"; do
	if ! systemd-analyze verify "$unit" > verify.out 2>&1 ||
	    [ -s verify.out ]; then
		cat verify.out
		fail "systemd-analyze verify $(basename "$unit")"
	fi
done

# A planted mistake is caught the same way (the check can fail).
sed 's/^ProtectSystem=/ProtectSytem=/' "$u/muni-smsgw.service" > bad.service
systemd-analyze verify "$PWD/bad.service" > bad.out 2>&1 || :
expect_grep "Unknown key 'ProtectSytem'" bad.out

# What the sandbox asks for is there.
for k in 'User=muni' 'ProtectSystem=strict' 'ReadWritePaths=/var/lib/muni' \
    'ProtectHome=yes' 'PrivateTmp=yes' 'PrivateDevices=yes' \
    'NoNewPrivileges=yes' 'CapabilityBoundingSet=$' \
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' \
    'SystemCallFilter=@system-service' 'Restart=on-failure' \
    'ExecReload=/bin/kill -HUP \$MAINPID'; do
	expect_grep "^$k" "$u/muni-smsgw.service"
done
for k in 'User=muni-kiosk' 'TTYPath=/dev/%I' 'StandardInput=tty' \
    'Restart=always' 'Conflicts=getty@%i.service' 'PrivateNetwork=yes'; do
	expect_grep "^$k" "$u/muni-kiosk@.service"
done
if systemd-analyze security --offline=yes "$u/muni-smsgw.service" \
    > security.out 2>&1; then
	echo "exposure: $(grep -o 'exposure level.*' security.out | head -n 1)"
fi

# sysusers.d and tmpfiles.d on an empty root.
s=$PWD/sysroot
mkdir -p "$s/etc"
systemd-sysusers --root="$s" "$r/usr/lib/sysusers.d/muni.conf" 2> sysusers.err ||
    { cat sysusers.err; fail "systemd-sysusers"; }
grep -q '^muni:x:[0-9]*:[0-9]*:muni SMS gateway:/var/lib/muni:' "$s/etc/passwd" ||
    { cat "$s/etc/passwd"; fail "no user muni"; }
grep -q '^muni-kiosk:' "$s/etc/passwd" || fail "no user muni-kiosk"
grep -q '^muni:x:[0-9]*:muni-kiosk$' "$s/etc/group" ||
    { cat "$s/etc/group"; fail "muni-kiosk is not in the group muni"; }
# (Its paths were rewritten for SYSCONFDIR=$r/etc: back to /etc in $s.)
mkdir -p "$s/usr/lib/tmpfiles.d"
sed "s|$r/etc|/etc|g" "$r/usr/lib/tmpfiles.d/muni.conf" \
    > "$s/usr/lib/tmpfiles.d/muni.conf"
systemd-tmpfiles --root="$s" --create 2> tmpfiles.err ||
    { cat tmpfiles.err; fail "systemd-tmpfiles"; }
# Owners as numbers: the names are the temporary root's, not this host's.
uid=$(awk -F: '$1 == "muni" { print $3 }' "$s/etc/passwd")
gid=$(awk -F: '$1 == "muni" { print $3 }' "$s/etc/group")
[ -n "$uid" ] && [ -n "$gid" ] || fail "no uid or gid for muni"
expect_eq "/var/lib/muni" "$(stat -c '%a %u %g' "$s/var/lib/muni" 2>&1)" \
    "770 $uid $gid"
expect_eq "/etc/muni" "$(stat -c '%a %u %g' "$s/etc/muni" 2>&1)" "750 0 $gid"
expect_eq "/var/backups/muni" "$(stat -c '%a %u %g' "$s/var/backups/muni" 2>&1)" \
    "700 $uid $gid"

# The backup service's command, run as it is written (the shell, %% as
# systemd passes it on, the weekday's file), makes a copy.
write_conf
ctl init > /dev/null 2>&1
mkdir -p "$s/var/backups/muni"
cmd=$(sed -n "s|^ExecStart=/bin/sh -c '\\(.*\\)'\$|\\1|p" "$u/muni-backup.service" |
    sed -e 's/%%/%/g' -e "s|$r/etc/muni/muni.conf|$PWD/muni.conf|" \
    -e "s|/var/backups/muni|$s/var/backups/muni|")
[ -n "$cmd" ] || fail "no ExecStart in muni-backup.service"
sh -c "$cmd" > backup.out || fail "the backup service's command: $cmd"
ls "$s/var/backups/muni/muni-$(date +%a).db" > /dev/null ||
    fail "no weekday copy"
rm -f muni.db muni.db-wal muni.db-shm

# Under systemd stderr is the journal's stream: lines carry a priority
# for the journal instead of our own time stamp; elsewhere they do not.
: > journal.err
write_conf
JOURNAL_STREAM=$(stat -c '%d:%i' journal.err) ctl init 2>> journal.err
expect_grep '^<6>info: database schema migrated to version 1$' journal.err
rm muni.db*
JOURNAL_STREAM=1:1 ctl init 2> plain.err
expect_grep '^[0-9-]* [0-9:]* munictl\[[0-9]*\] info: database schema migrated' plain.err
echo "units: ok"
