#!/bin/sh
# demo.sh BUILD: the demo. A database of Dobeles novads in ./demo/, the SMSC
# simulator, the gateway bound to it, and in a tmux layout the kiosk, a
# "phone" to text the gateway as a resident would (RINDA, MAKSA, TEMAS,
# *505#) and to receive the kiosk's sign-in code, and the gateway's log.
# Without tmux the phone alone; without a terminal it sends one RINDA,
# shows the reply and stops. Everything it starts stops when it ends.
set -eu
build=$1
bin="$(pwd)/$build/bin"
dir="$(pwd)/demo"
mkdir -p "$dir"
export TZ="${TZ:-Europe/Riga}"
simpid=""
gwpid=""
sock=""
stop() {
	[ -z "$sock" ] || tmux -L "$sock" kill-server 2>/dev/null || :
	for p in $gwpid $simpid; do kill "$p" 2>/dev/null || :; done
	for p in $gwpid $simpid; do wait "$p" 2>/dev/null || :; done
}
trap stop EXIT
trap 'exit 1' HUP INT TERM

. "$(pwd)/tests/integration/lib.sh"	# free_port, wait_for

die() {
	echo "demo: $*" >&2
	tail -n 20 "$dir/smsgw.log" >&2 || :
	exit 1
}

healthy() {
	perl -MHTTP::Tiny -e 'exit(HTTP::Tiny->new(timeout => 1)
	    ->get($ARGV[0])->{status} == 200 ? 0 : 1)' \
	    "http://127.0.0.1:$hport/health"
}

rm -f "$dir/smsc.sock" "$dir/smscsim.out"
"$bin/muni-smscsim" -a 127.0.0.1 -p 0 -u muni -w demo -r 800 \
    -o "$dir/submits.log" -C "$dir/smsc.sock" \
    >"$dir/smscsim.out" 2>"$dir/smscsim.log" </dev/null &
simpid=$!
wait_for 5 "the simulator" grep -q '^port=' "$dir/smscsim.out"
sport=$(sed -n 's/^port=//p' "$dir/smscsim.out")
hport=$(free_port)

conf="$dir/muni.conf"
# Staff mode of the demo kiosk: PIN 1234.
pinhash=$(printf '1234\n' | "$bin/munictl" -c /dev/null staff pin 2>/dev/null)
sed -e "s|^staff_pin_hash =.*|staff_pin_hash = $pinhash|" -e "s|^path = .*|path = $dir/muni.db|" \
    -e "s|^port = .*|port = $sport|" \
    -e "s|^password =.*|password = demo|" \
    -e "s|^listen = .*|listen = 127.0.0.1:$hport|" \
    -e "s|^source_addr =.*|source_addr = Dobele|" conf/muni.conf > "$conf"
chmod 600 "$conf"
export MUNI_CONF="$conf"

if [ ! -f "$dir/muni.db" ]; then
	"$bin/munictl" init
	"$bin/munictl" demo --residents 10000 --seed 1
	# Three groups, so staff can preview and send a broadcast from the
	# first minute: by place and age, by preschool, by an unpaid fee.
	"$bin/munictl" group add auru-seniori \
	    --rule "territory = 'Auru pagasts' AND age >= 65" >/dev/null
	"$bin/munictl" group add zilites-vecaki \
	    --rule "queue_institution = 'Dobeles PII \"Zīlīte\"'" >/dev/null
	"$bin/munictl" group add suna-nodeva-nesamaksata \
	    --rule "fee_unpaid(dog)" >/dev/null
fi
"$bin/muni-smsgw" -d -c "$conf" 2>>"$dir/smsgw.log" &
gwpid=$!
wait_for 10 "the gateway's bind" healthy

# A parent with every path to show: a mobile phone of their own, a child
# in a preschool queue and a fee to pay (the QR screen).
parent=$(sqlite3 "$dir/muni.db" "SELECT r.id FROM residents r
    WHERE r.phone_kind = 0 AND r.lang = 'lv'
    AND EXISTS (SELECT 1 FROM queue_entries q WHERE q.guardian_id = r.id
    AND q.status = 'active')
    AND EXISTS (SELECT 1 FROM fees f WHERE f.resident_id = r.id
    AND f.paid_cents < f.amount_cents)
    AND (SELECT count(*) FROM residents o WHERE o.phone = r.phone) = 1
    ORDER BY r.id LIMIT 1")
[ -n "$parent" ] || die "the demo data has no parent with a fee to pay"
phone=$(sqlite3 "$dir/muni.db" "SELECT phone FROM residents WHERE id = $parent")
# Synthetic, made by munictl demo: shown here so the kiosk can be tried.
pcode=$(sqlite3 "$dir/muni.db" "SELECT personal_code FROM residents
    WHERE id = $parent")
cat <<TOUR

muni demo — Dobeles novads, 10,000 residents ($dir/muni.db)
  gateway:   muni-smsgw bound to the SMSC simulator on port $sport;
             health and metrics on http://127.0.0.1:$hport/metrics
  resident:  $phone, a parent with a child in a preschool queue and a
             fee to pay; personal code $pcode (synthetic demo data)
  try:       RINDA, MAKSA, TEMAS, STOP kultura, PALĪDZĪBA, or *505# (USSD)
  kiosk:     sign in with that personal code; the one-time code comes to
             the phone. Staff mode: / * - on the first screen, PIN 1234;
             groups auru-seniori, zilites-vecaki, suna-nodeva-nesamaksata
  staff:     export MUNI_CONF=$conf
             $bin/munictl group list
             $bin/munictl broadcast preview --group auru-seniori --text "Sveiki"
TOUR
if [ -t 0 ] && [ -t 1 ] && command -v tmux >/dev/null; then
	# kiosk | phone over the gateway's log; leaving the phone (/quit)
	# or detaching ends the demo.
	sock="muni-demo-$$"
	tm() { tmux -L "$sock" -f /dev/null "$@"; }
	echo "Leave with /quit in the phone, or detach (Ctrl-b d)."
	sleep 2
	tm new-session -d -s demo -x "$(tput cols)" -y "$(tput lines)" \
	    "'$bin/muni-kiosk' -c '$conf' -T demo"
	tm set -g status off
	tm split-window -h -l 40% -t demo \
	    "'$bin/muni-smscsim' --phone -C '$dir/smsc.sock' -n '$phone' \
	    -t 505; tmux -L '$sock' kill-server"
	tm split-window -v -t demo "tail -n 20 -f '$dir/smsgw.log'"
	tm select-pane -t demo:0.0
	tm attach -t demo || :
	tm kill-server 2>/dev/null || :
elif [ -t 0 ] && [ -t 1 ]; then
	echo "Type as the resident; /quit or Ctrl-D ends the demo."
	"$bin/muni-smscsim" --phone -C "$dir/smsc.sock" -n "$phone" -t 505 ||:
else
	"$bin/muni-smscsim" --ctl -C "$dir/smsc.sock" mo "$phone" 505 RINDA \
	    >/dev/null
	replied() {
		"$bin/muni-smscsim" --ctl -C "$dir/smsc.sock" flush >/dev/null
		grep -q "dst=$phone " "$dir/submits.log"
	}
	wait_for 10 "the reply to RINDA" replied
	echo "RINDA from $phone was answered:"
	grep "dst=$phone " "$dir/submits.log" | tail -n 1 |
	    sed -e 's/.* text=/  /'
fi
