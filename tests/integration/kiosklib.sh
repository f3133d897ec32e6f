# kiosklib.sh: drive muni-kiosk in a detached tmux server of its own
# (sourced after lib.sh, not run). The pane is the terminal: keys go in
# with send-keys, the screen comes out with capture-pane. Goldens live in
# tests/integration/kiosk/; MUNI_UPDATE_GOLDEN=1 rewrites them.

KT_SOCK="muni-kiosk-$$"
kt() {
	tmux -L "$KT_SOCK" -f "$PWD/tmux.conf" "$@"
}

# kiosk_start [COLS ROWS]: the kiosk on a COLSxROWS terminal (80x24);
# $KIOSK_ENV (NAME=VALUE words) goes into its environment, $KIOSK_T is its
# terminal name (-T, kiosk-test by default). A shell in the
# pane runs it in the foreground and writes its exit status to kiosk.rc:
# tmux itself may leave an ended kiosk unreaped for a long while.
kiosk_start() {
	# No status line (it would take a row).
	printf 'set -g status off\nset -g remain-on-exit on\n' > tmux.conf
	rm -f kiosk.rc
	kt new-session -d -s k -x "${1:-80}" -y "${2:-24}" \
	    "env ${KIOSK_ENV:-} MUNI_LOCALEDIR='$MUNI_LOCALEDIR' \
	    '$MUNI_BIN/muni-kiosk' -c '$PWD/muni.conf' -T '${KIOSK_T:-kiosk-test}' \
	    2>>'$PWD/kiosk.err'; echo \$? > '$PWD/kiosk.rc'"
	wait_screen "Izvēlieties valodu" "the welcome screen"
}

# kiosk_die MESSAGE: fail with the screen and the kiosk's log.
kiosk_die() {
	echo "FAIL: $*"
	echo "--- screen"; screen 2>/dev/null || :
	echo "--- kiosk.err"; tail -n 20 kiosk.err 2>/dev/null || :
	echo "--- kiosk.rc: $(cat kiosk.rc 2>/dev/null)"
	ps -o pid,stat,wchan:20,cmd --ppid "$(kt display -p -t k \
	    '#{pane_pid}' 2>/dev/null)" 2>&1 || :
}

kiosk_stop() {
	kt kill-server 2>/dev/null || :
}

screen() {
	kt capture-pane -p -t k
}

screen_has() {
	screen | grep -q -- "$1"
}

screen_lacks() {
	! screen | grep -q -- "$1"
}

# wait_screen TEXT WHAT [SECONDS]
wait_screen() {
	wait_for "${3:-10}" "$2 ('$1' on the screen)" screen_has "$1"
}

wait_gone() {
	wait_for "${3:-10}" "$2 ('$1' gone from the screen)" screen_lacks "$1"
}

keys() {
	kt send-keys -t k "$@"
}

# type_text TEXT: as typed, character by character.
type_text() {
	kt send-keys -t k -l -- "$1"
}

# The kiosk has ended (its status is in kiosk.rc).
kiosk_ended() {
	[ -s kiosk.rc ]
}

kiosk_pid() {
	ps -o pid= --ppid "$(kt display -p -t k '#{pane_pid}')" |
	    tr -d ' ' | head -n 1
}

# golden NAME [SED-SCRIPT]: the screen, trailing blanks removed and the
# sed script applied (for what really varies), equals kiosk/NAME.txt.
golden() {
	_g=$MUNI_TOP/tests/integration/kiosk/$1.txt
	screen | sed -e 's/[[:space:]]*$//' -e "${2:-}" > "$1.got"
	if [ "${MUNI_UPDATE_GOLDEN:-0}" = 1 ]; then
		cp "$1.got" "$_g"
	fi
	diff -u "$_g" "$1.got" >&2 || fail "screen $1 differs from its golden"
}

# qr_from_screen FILE: the code drawn at the top left of the screen (its
# first row is all light quiet zone), as half-block or double-width text.
qr_from_screen() {
	screen > "$1.screen"
	LC_ALL=C sed -e 's/█/F/g' -e 's/▀/U/g' -e 's/▄/L/g' "$1.screen" |
	LC_ALL=C awk 'NR == 1 { if (!match($0, /^F+/)) exit 1; w = RLENGTH }
	    { s = substr($0, 1, w)
	      if (length(s) == w && s ~ /^[FUL ]+$/) print s; else exit }' |
	LC_ALL=C sed -e 's/F/█/g' -e 's/U/▀/g' -e 's/L/▄/g' > "$1"
	[ -s "$1" ]
}
