#!/bin/sh
# kiosk_idle: what keeps a public kiosk safe, in a real tmux on a demo
# database (no gateway: the sign-in code is read from its outbox row).
# ^C, ^Z and ^\ do nothing; the idle warning counts down at least 20 s,
# a key keeps the visit, and at zero the visit ends with nothing personal
# on the screen; a resize from 80x24 to 120x40 redraws with the legend on
# the new last line, below 80x24 the kiosk asks for a larger window;
# three wrong staff PINs lock staff mode; a terminal without colours gets
# the monochrome screens; SIGTERM ends the kiosk cleanly.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
. "$MUNI_TOP/tests/integration/kiosklib.sh"

trap kiosk_stop EXIT
die() {
	kiosk_die "$*"
	exit 1
}

IDLE=5
hash=$(printf '4321\n' | "$MUNI_BIN/munictl" -c /dev/null staff pin 2>/dev/null)
write_conf
cat >> muni.conf <<EOF
[kiosk]
idle_timeout_s = $IDLE
staff_pin_hash = $hash
EOF
export MUNI_LANG=lv
ctl init > /dev/null 2>&1
ctl demo --residents 500 --seed 3 > /dev/null 2>&1

P=$(sql "select r.id from residents r where r.phone_kind = 0
    and exists (select 1 from queue_entries q where q.guardian_id = r.id
      and q.status = 'active') order by r.id limit 1")
[ -n "$P" ] || die "no parent"
pcode=$(sql "select personal_code from residents where id = $P" | tr -d -)
child=$(sql "select child_given_name || ' ' || substr(child_family_name, 1, 1)
    || '.' from queue_entries where guardian_id = $P and status = 'active'
    order by id limit 1")

# munictl staff pin: digits only, from standard input.
printf '12a4\n' | ctl staff pin > pin.out 2> pin.err && die "a PIN with a letter"
expect_grep "PIN ir no 4 līdz 32 cipariem" pin.err
[ -s pin.out ] && die "a hash for a bad PIN"
case $hash in '$y$'*) ;; *) die "munictl staff pin gave '$hash'";; esac

kiosk_start
pid=$(kiosk_pid)

# --- ^C, ^Z, ^\ and friends: nothing happens.
keys C-c C-z 'C-\' C-d C-q C-s Escape
sleep 0.5
kiosk_ended && die "the kiosk ended on a control key"
kill -0 "$pid" || die "the kiosk process is gone"
golden welcome
keys 1
wait_screen "Ko vēlaties darīt?" "the menu"
keys C-c C-z 'C-\'
sleep 0.3
golden menu-lv

# --- No mobile phone on record: the screen everyone gets, and no SMS.
N=$(sql "select personal_code from residents where phone is null
    or phone_kind = 1 order by id limit 1" | tr -d -)
[ -n "$N" ] || die "no resident without a mobile"
keys 1
wait_screen "Ievadiet savu personas kodu" "identification"
type_text "$N"
wait_screen "Ja šim personas kodam ir reģistrēts" "the same screen"
screen_has "Lūdzu, jautājiet klientu apkalpošanā." ||
    die "no word of the service desk"
expect_eq "no SMS" "$(sql "select count(*) from outbox")" 0
keys Left
wait_screen "Ko vēlaties darīt?" "the menu"

# --- Sign in and look at the queue.
keys 1
wait_screen "Ievadiet savu personas kodu" "identification"
type_text "$pcode"
wait_screen "Ja šim personas kodam ir reģistrēts" "the code sent"
code=$(sql "select text from outbox where resident_id = $P order by id desc
    limit 1" | grep -o '[0-9]\{6\}' | head -n 1)
type_text "$code"; keys Enter
wait_screen "$child" "the queue with the child"

# --- Idle: the warning, a key keeps the visit.
start=$(date +%s)
wait_screen "Vai jūs vēl esat šeit?" "the idle warning" $((IDLE + 10))
waited=$(( $(date +%s) - start ))
[ "$waited" -ge $((IDLE - 1)) ] || die "warned after ${waited}s, not ${IDLE}s"
screen_has "Nospiediet jebkuru taustiņu, lai turpinātu." || die "no hint"
# It starts at 20 (a loaded machine may show it a second or two late).
screen | grep -q "Sākums no jauna pēc \(20\|19\|18\|17\) s" ||
    die "the count does not start at 20 s"
keys Up
wait_gone "Vai jūs vēl esat šeit?" "the warning after a key"
screen_has "$child" || die "the visit was not kept"

# --- At zero: welcome, nothing personal left.
wait_screen "Vai jūs vēl esat šeit?" "the idle warning again" $((IDLE + 10))
start=$(date +%s)
wait_screen "Izvēlieties valodu" "the welcome screen after the count" 30
took=$(( $(date +%s) - start ))
[ "$took" -ge 19 ] || die "the warning lasted ${took}s, less than 20 s"
golden welcome
screen_has "$child" && die "the child's name is left on the screen"
screen_has "•" && die "a masked number is left on the screen"
expect_eq "audit" "$(sql "select count(*) from audit_log where
    action = 'session ended: idle'")" 1

# --- Resize: 80x24 to 120x40 and below the minimum.
kt resize-window -t k -x 120 -y 40
wait_for 10 "the legend on row 40" sh -c "tmux -L '$KT_SOCK' capture-pane \
    -p -t k | sed -n 40p | grep -q 'Enter Turpināt   9 Palīdzība'"
expect_eq "rows at 120x40" "$(screen | wc -l)" 40
screen_has "Izvēlieties valodu" || die "no welcome at 120x40"
kt resize-window -t k -x 70 -y 20
wait_screen "Lūdzu, palieliniet logu: vismaz 80x24." "the request to enlarge"
keys 1
sleep 0.3
kt resize-window -t k -x 80 -y 24
wait_screen "Izvēlieties valodu" "the welcome screen at 80x24"
golden welcome

# --- Staff PIN: three wrong tries lock staff mode.
type_text '/*-'
wait_screen "Ievadiet darbinieku PIN" "the PIN screen"
type_text 1111; keys Enter
wait_screen "Nepareizs PIN. Atlikuši 2 mēģinājumi." "a wrong PIN"
type_text 2222; keys Enter
wait_screen "Nepareizs PIN. Atlicis 1 mēģinājums." "a second wrong PIN"
type_text 3333; keys Enter
wait_screen "Darbinieku režīms bloķēts līdz" "staff mode locked"
keys 0
wait_screen "Izvēlieties valodu" "the welcome screen"
type_text '/*-'
wait_screen "Ievadiet darbinieku PIN" "the PIN screen"
type_text 4321; keys Enter
wait_screen "Darbinieku režīms bloķēts līdz" "still locked for the right PIN"
keys 0

# --- SIGTERM: the kiosk ends, exit status 0.
kill -TERM "$pid"
wait_for 20 "the kiosk to end" kiosk_ended
expect_eq "exit status" "$(cat kiosk.rc)" 0
kiosk_stop

# --- No colours: the same screens in monochrome.
KIOSK_ENV="TERM=vt100"
kiosk_start
golden welcome
keys 2
wait_screen "What would you like to do?" "the English menu in monochrome"
kill -TERM "$(kiosk_pid)"
wait_for 20 "the kiosk to end" kiosk_ended
echo "kiosk_idle: control keys, idle reset, resize, staff lock-out, monochrome"
