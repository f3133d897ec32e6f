# speech: the kiosk's speech (issue 20) on a demo database in tmux.
# key_to_audio_ms: from a key sent to the kiosk (the repeat key on the
# menu) to its first audio sample, which is when the kiosk starts
# [kiosk] speech_command; here a command that notes the time and reads
# the WAV. The figure includes tmux's send-keys and starting the command,
# so it is an upper bound. Median and slowest of BENCH_RUNS (default 11).
# Target: <= 300 ms. rss_mb: the kiosk's peak resident set (VmHWM) with
# speech on, after the welcome, the menu and the repeats, beside the
# same walk with speech off. Target: <= 32 MB.
set -eu
runs=${BENCH_RUNS:-11}
B=$MUNI_BIN
sock="muni-bench-speech-$$"
kt() { tmux -L "$sock" -f /dev/null "$@"; }
trap 'kt kill-server 2>/dev/null || :' EXIT

# kB of a /proc/PID/status field.
status_kb() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null ||
	    echo 0
}
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}
median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

conf() {
	cat > muni.conf <<EOF
[database]
path = $(pwd)/muni.db
[kiosk]
speech = $1
speech_command = date +%s%N >> $(pwd)/first.log; exec cat > /dev/null
EOF
	chmod 600 muni.conf
}
conf on
"$B/munictl" -c muni.conf init > /dev/null 2>&1
"$B/munictl" -c muni.conf demo --residents 1000 --seed 1 > /dev/null 2>&1

# start: the kiosk on an 80x24 pane; its pid.
start() {
	kt new-session -d -s k -x 80 -y 24 "env MUNI_LOCALEDIR='${MUNI_LOCALEDIR:-}' \
	    '$B/muni-kiosk' -c '$PWD/muni.conf' -T bench 2>>'$PWD/kiosk.err'"
	i=0
	until kt capture-pane -p -t k 2>/dev/null | grep -q "Izvēlieties valodu"; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "no welcome screen"; exit 1; }
		sleep 0.1
	done
	ps -o pid= --ppid "$(kt display -p -t k '#{pane_pid}')" | tr -d ' ' |
	    head -n 1
}
lines() {
	if [ -f first.log ]; then wc -l < first.log; else echo 0; fi
}

: > first.log
pid=$(start)
kt send-keys -t k Enter
sleep 2
: > lat
i=0
while [ $i -lt "$runs" ]; do
	n=$(lines)
	t0=$(date +%s%N)
	kt send-keys -t k .
	j=0
	while [ "$(lines)" -le "$n" ]; do
		j=$((j + 1))
		[ $j -lt 500 ] || { echo "no audio after the key"; exit 1; }
		sleep 0.005
	done
	t1=$(tail -n 1 first.log)
	echo $(( (t1 - t0) / 1000000 )) >> lat
	sleep 0.5
	i=$((i + 1))
done
on_kb=$(status_kb "$pid" VmHWM)
kt kill-server
echo "key_to_audio_ms median=$(median < lat) max=$(sort -n lat | tail -n 1) runs=$runs (target <= 300)"

conf off
pid=$(start)
kt send-keys -t k Enter
sleep 1
i=0
while [ $i -lt "$runs" ]; do
	kt send-keys -t k .
	sleep 0.1
	i=$((i + 1))
done
off_kb=$(status_kb "$pid" VmHWM)
kt kill-server
echo "rss_mb speech_on=$(awk -v k="$on_kb" 'BEGIN { printf "%.1f", k / 1024 }') speech_off=$(awk -v k="$off_kb" 'BEGIN { printf "%.1f", k / 1024 }') (target <= 32)"
