#!/bin/sh
# demo.sh BUILD: a demo database for Dobeles novads in ./demo/, then what
# can be tried with it. The gateway and the kiosk join here as they land.
set -eu
build=$1
bin="$(pwd)/$build/bin"
dir="$(pwd)/demo"
mkdir -p "$dir"
conf="$dir/muni.conf"
if [ ! -f "$conf" ]; then
	sed -e "s|^path = .*|path = $dir/muni.db|" conf/muni.conf > "$conf"
	chmod 640 "$conf"
fi
export MUNI_CONF="$conf" TZ=${TZ:-Europe/Riga}
if [ ! -f "$dir/muni.db" ]; then
	"$bin/munictl" init
	"$bin/munictl" demo --residents 10000 --seed 1
fi
echo
echo "Demo database: $dir/muni.db (configuration $conf)"
echo "Try:"
echo "  MUNI_CONF=$conf $bin/munictl -h"
echo "  sqlite3 $dir/muni.db 'select given_name, family_name, territory from residents limit 5'"
if [ -x "$bin/munictl" ] && "$bin/munictl" -h 2>/dev/null | grep -q 'pay qr'; then
	fee=$(sqlite3 "$dir/muni.db" "select id from fees where paid_cents < amount_cents limit 1")
	echo "  MUNI_CONF=$conf $bin/munictl pay qr $fee"
fi
"$bin/muni-smsgw" -n -c "$conf"
