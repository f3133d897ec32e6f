#!/bin/sh
# zones: the time-sensitive tests again, in processes started under
# TZ=UTC (Debian's default on a server) and TZ=America/New_York (a day
# boundary seven hours from Riga's), with the same answers as under
# tests/run.sh's Europe/Riga: local time is the municipality's
# ([municipality] timezone), never the process's. Every unit test (they
# take seconds), and the integration scripts that decide by the local
# clock: quiet hours and --at (broadcast, localtime), the reminders' hour
# and due dates (reminders), the lock-out's end on the kiosk (kiosk).
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

units=$MUNI_BIN/../tests
[ -d "$units" ] || fail "no unit tests in $units: build them first"
for tz in UTC America/New_York; do
	for t in "$units"/test_*; do
		[ -x "$t" ] || continue
		if ! TZ=$tz "$t" > unit.log 2>&1; then
			tail -n 30 unit.log
			fail "${t##*/} under TZ=$tz"
		fi
	done
	for s in broadcast reminders localtime kiosk; do
		d=$PWD/${s}-$(echo "$tz" | tr '/' '_')
		mkdir "$d"
		# The staff scripts run munictl as other Unix users, who must
		# reach the script's directory through this one.
		chmod 0711 .
		if ! (cd "$d" && TZ=$tz sh "$MUNI_TOP/tests/integration/$s.sh") \
		    > "$d.out" 2>&1; then
			tail -n 40 "$d.out"
			fail "$s.sh under TZ=$tz"
		fi
	done
	echo "zones: TZ=$tz ok"
done
echo "zones: ok"
