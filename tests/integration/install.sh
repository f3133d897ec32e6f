#!/bin/sh
# install: `make install PREFIX=/usr/local DESTDIR=...` puts exactly the
# expected files in the expected places (binaries, man pages in sections 5
# and 8, the catalogue, the sample configuration, units, sysusers.d and
# tmpfiles.d), the installed programs run and speak Latvian from the
# installed catalogue, a second install keeps the administrator's
# muni.conf, and `make uninstall` takes everything away but that file.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
. "$MUNI_TOP/tests/integration/install_lib.sh"

d=$PWD/dest
muni_install install DESTDIR="$d" PREFIX=/usr/local

cat > want <<'LIST'
etc/muni/muni.conf
etc/muni/muni.conf.sample
usr/local/bin/muni-kiosk
usr/local/bin/munictl
usr/local/lib/systemd/system/muni-backup.service
usr/local/lib/systemd/system/muni-backup.timer
usr/local/lib/systemd/system/muni-kiosk@.service
usr/local/lib/systemd/system/muni-smsgw.service
usr/local/lib/sysusers.d/muni.conf
usr/local/lib/tmpfiles.d/muni.conf
usr/local/sbin/muni-smsgw
usr/local/share/locale/lv/LC_MESSAGES/muni.mo
usr/local/share/man/man5/muni.conf.5
usr/local/share/man/man8/muni-kiosk.8
usr/local/share/man/man8/muni-smsgw.8
usr/local/share/man/man8/munictl.8
LIST
(cd "$d" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) > got
diff want got > tree.diff || { cat tree.diff; fail "the installed tree differs"; }

expect_eq "muni-smsgw mode" "$(stat -c %a "$d/usr/local/sbin/muni-smsgw")" 755
expect_eq "munictl mode" "$(stat -c %a "$d/usr/local/bin/munictl")" 755
expect_eq "muni.conf mode" "$(stat -c %a "$d/etc/muni/muni.conf")" 640
expect_eq "man page mode" "$(stat -c %a "$d/usr/local/share/man/man5/muni.conf.5")" 644
cmp "$MUNI_TOP/conf/muni.conf" "$d/etc/muni/muni.conf.sample" ||
    fail "the sample is not conf/muni.conf"
expect_grep '^ExecStart=/usr/local/sbin/muni-smsgw -d -c /etc/muni/muni.conf$' \
    "$d/usr/local/lib/systemd/system/muni-smsgw.service"

# The installed programs run, and find the installed catalogue beside them
# (no MUNI_LOCALEDIR): munictl's errors come in Latvian.
"$d/usr/local/sbin/muni-smsgw" -h > h.out
expect_grep '^usage: muni-smsgw' h.out
cat > t.conf <<CONF
[database]
path = $PWD/none/muni.db
CONF
env -u MUNI_LOCALEDIR MUNI_LANG=lv "$d/usr/local/bin/munictl" -c t.conf report \
    > /dev/null 2> lv.err && fail "munictl report without a database"
expect_grep 'nevar atvērt datubāzi' lv.err "the installed catalogue"

# The administrator's muni.conf survives a second install.
echo "# edited" >> "$d/etc/muni/muni.conf"
muni_install install DESTDIR="$d" PREFIX=/usr/local
expect_grep '^# edited$' "$d/etc/muni/muni.conf"

muni_install uninstall DESTDIR="$d" PREFIX=/usr/local
(cd "$d" && find . -type f | sed 's|^\./||') > left
expect_eq "left after uninstall" "$(cat left)" "etc/muni/muni.conf"
echo "install: ok"
