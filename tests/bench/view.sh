#!/bin/sh
# view.sh BUILD: the viewer's CPU use paused and playing, and its time to
# first frame, each next to a bare ncurses loop (curses_loop.c) at the same
# redraw rate.  Runs in a private tmux server; SECONDS_EACH per figure.
set -eu
build=${1:-build}
secs=${SECONDS_EACH:-10}
runs=${RUNS:-3}
n=0
sock=interleave-bench-$$-0
tm() { tmux -L "$sock" "$@"; }
# a server of its own for each measurement: no race with one shutting down
fresh() { tm kill-server 2>/dev/null || true; n=$((n + 1)); sock=interleave-bench-$$-$n; }
cc=${CC:-cc}
$cc -O2 -o "$build/bench/curses_loop" tests/bench/curses_loop.c \
	$(pkg-config --cflags --libs ncursesw)
bin=$(cd "$build" && pwd)
interval=600   # the viewer's default speed: one step per 600 ms
trap 'tm kill-server 2>/dev/null || true' EXIT

now_ms() { date +%s%3N; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# CPU time of a process, in nanoseconds (schedstat: on-CPU time)
cpu_ns() { awk '{ print $1 }' "/proc/$1/schedstat"; }

# start CMD, wait for TEXT on screen; prints milliseconds to first frame
start() {
	t0=$(now_ms)
	tm new-session -d -s b -x 100 -y 30 "exec $1"
	until tm capture-pane -p -t b | grep -q "$2"; do sleep 0.005; done
	echo $(($(now_ms) - t0))
}

# percent of one core used by the pane's process over $secs seconds
cpu() {
	pid=$(tm display -p -t b '#{pane_pid}')
	a=$(cpu_ns "$pid"); sleep "$secs"; b=$(cpu_ns "$pid")
	awk -v a="$a" -v b="$b" -v s="$secs" \
		'BEGIN { printf "%.3f\n", 100 * (b - a) / 1e9 / s }'
}

# run NAME CMD TEXT KEYS: figures of one program, one run
measure() {
	first=$(start "$2" "$3")
	paused=$(cpu)
	[ -n "$4" ] && tm send-keys -t b "$4"
	playing=$(cpu)
	tm capture-pane -p -t b | head -1 >>"$build/bench/viewer-title.txt"
	fresh
	echo "$first $paused $playing"
}

for who in viewer bare; do
	for i in $(seq "$runs"); do
		if [ $who = viewer ]; then
			measure viewer "$bin/bin/race --iterations=1000000" \
				"T1 deposit" Space
		else
			# paused: draw once and sleep; playing: redraw every 600 ms
			a=$(start "$bin/bench/curses_loop 0" "frame 0")
			p=$(cpu); fresh
			tm new-session -d -s b -x 100 -y 30 \
				"exec $bin/bench/curses_loop $interval"
			sleep 0.3
			echo "$a $p $(cpu)"; fresh
		fi
	done >"$build/bench/$who.txt"
done

col() { awk -v c="$1" '{ print $c }' "$build/bench/$2.txt" | median; }
echo "== viewer: CPU over ${secs} s and time to first frame (medians of $runs)"
printf '  %-28s %10s %10s\n' "" viewer "bare loop"
printf '  %-28s %9s%% %9s%%  (target: under 1%%)\n' "paused, % of one core" \
	"$(col 2 viewer)" "$(col 2 bare)"
printf '  %-28s %9s%% %9s%%  (target: under 5%%)\n' "playing (600 ms/step)" \
	"$(col 3 viewer)" "$(col 3 bare)"
printf '  %-28s %8sms %8sms\n' "start to first frame" \
	"$(col 1 viewer)" "$(col 1 bare)"
