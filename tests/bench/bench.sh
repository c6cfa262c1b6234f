#!/bin/sh
# bench.sh BUILD: each figure next to a bare baseline built and run here.
# Medians of RUNS runs (default 7); the machines are shared and noisy.
set -eu
build=${1:-build}
runs=${RUNS:-7}
cc=${CC:-cc}
mkdir -p "$build/bench"
for b in baton pbaton mutex pipe ucontext; do
	$cc -O2 -pthread -o "$build/bench/$b" "tests/bench/$b.c"
done

now() { date +%s%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# seconds taken by a command, printed with 6 decimals
elapsed() {
	t0=$(now); "$@" >/dev/null; t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", (b - a) / 1e9 }'
}

iters=1000000
steps=$((2 * iters * 2))  # unsafe: a load and a store per iteration

echo "== step mode: handoffs per second (higher is better)"
ours=$(for i in $(seq "$runs"); do
	s=$(elapsed "$build/bin/race" --iterations=$iters --quiet)
	awk -v n=$steps -v s="$s" 'BEGIN { printf "%.0f\n", n / s }'
done | median)
bare=$(for i in $(seq "$runs"); do "$build/bench/baton" $iters; done | median)
uctx=$(for i in $(seq "$runs"); do "$build/bench/ucontext" $iters; done | median)
printf '  race unsafe 2 x %d, step mode: %12.0f steps/s\n' $iters "$ours"
printf '  bare semaphore baton, 1 CPU:     %12.0f handoffs/s\n' "$bare"
printf '  bare ucontext fibers:            %12.0f round trips/s (%.0f switches/s)\n' \
	"$uctx" "$(awk -v a="$uctx" 'BEGIN { print 2 * a }')"
awk -v a="$ours" -v b="$bare" \
	'BEGIN { printf "  ratio: %.2fx the semaphore baton (target: at least 8x)\n", a / b }'
# A step is a round trip: scheduler to fiber and back.
awk -v a="$ours" -v b="$uctx" \
	'BEGIN { printf "  ratio: %.2fx the ucontext round trip, %.2fx a single switch (target: 2x)\n", a / b, a / (2 * b) }'
# The same steps among 64 threads: what a step costs grows with the
# threads the scheduler looks at.
wide=$(for i in $(seq "$runs"); do
	s=$(elapsed "$build/bin/race" --threads=64 --iterations=$((iters / 32)) --quiet)
	awk -v n=$steps -v s="$s" 'BEGIN { printf "%.0f\n", n / s }'
done | median)
printf '  race unsafe 64 x %d, step mode: %11.0f steps/s\n' $((iters / 32)) "$wide"
awk -v a="$ours" -v b="$wide" \
	'BEGIN { printf "  ratio: a step among 64 threads costs %.2fx one between 2\n", a / b }'

echo "== step mode across processes: steps per second (higher is better)"
# A step of a process is two handoffs, runtime to process and back; the
# baseline is the same two between two bare processes on one CPU.
piters=50000
psteps=$((2 * piters * 2 + 4)) # and P1's two forks and two joins
procs=$(for i in $(seq "$runs"); do
	s=$(elapsed "$build/bin/shmrace" --iterations=$piters --quiet)
	awk -v n=$psteps -v s="$s" 'BEGIN { printf "%.0f\n", n / s }'
done | median)
fibers=$(for i in $(seq "$runs"); do
	s=$(elapsed "$build/bin/race" --iterations=$piters --quiet)
	awk -v n=$((2 * piters * 2)) -v s="$s" 'BEGIN { printf "%.0f\n", n / s }'
done | median)
pbare=$(for i in $(seq "$runs"); do "$build/bench/pbaton" 200000; done | median)
printf '  shmrace unsafe 2 x %d, processes: %10.0f steps/s (%.1f us a step)\n' \
	$piters "$procs" "$(awk -v a="$procs" 'BEGIN { print 1e6 / a }')"
printf '  race unsafe 2 x %d, fibers:       %10.0f steps/s (%.1f us a step)\n' \
	$piters "$fibers" "$(awk -v a="$fibers" 'BEGIN { print 1e6 / a }')"
printf '  bare futex baton, 2 processes:  %10.0f steps/s (two handoffs each)\n' \
	"$(awk -v a="$pbare" 'BEGIN { print a / 2 }')"
awk -v a="$procs" -v b="$pbare" \
	'BEGIN { printf "  ratio: %.2fx the baseline\n", a / (b / 2) }'

echo "== free mode: mutex variant, 2 x $iters (lower is better)"
# Both sides in one process, alternating (tests/bench/free.c): on two
# cores the time of a run depends mostly on where the scheduler puts the
# two threads, and a process start or a pipeline next to one side shifts
# that (docs/design.md, "Measurements").  Bimodal times: many runs.
free_runs=$((15 * runs))
"$build/bench/free" "$free_runs" $iters 2
echo "  (target: the ratio of the medians at most 1.3x)"

echo "== free mode as programs: the same, each side its own process"
# What a person timing the two programs would see.  Not the target: the
# lesson's process starts slower (ncurses, the lesson table), and that
# alone changes where its threads land.
: >"$build/bench/free.ours"
: >"$build/bench/free.bare"
for i in $(seq $((3 * runs))); do
	"$build/bin/race" --mode=free --variant=mutex --quiet \
		>>"$build/bench/free.ours"
	"$build/bench/mutex" $iters >>"$build/bench/free.bare"
done
sed -n 's/.*elapsed_us=\([0-9]*\).*/\1/p' "$build/bench/free.ours" |
	awk '{ printf "%.6f\n", $1 / 1e6 }' >"$build/bench/free.ours.s"
spread() { sort -g "$1" | awk '{ v[NR] = $1 } END {
	printf "%8.4f s  (min %.4f, max %.4f, %d runs)", v[int((NR + 1) / 2)],
		v[1], v[NR], NR }'; }
ours=$(median <"$build/bench/free.ours.s")
bare=$(median <"$build/bench/free.bare")
printf '  %-36s %s\n' "build/bin/race --mode=free ...:" \
	"$(spread "$build/bench/free.ours.s")"
printf '  %-36s %s\n' "bare pthreads program:" "$(spread "$build/bench/free.bare")"
awk -v a="$ours" -v b="$bare" \
	'BEGIN { printf "  ratio of the medians: %.2fx\n", a / b }'

echo "== free mode, uncontended: mutex variant, 1 x $((2 * iters)) (lower is better)"
# One thread: no scheduler regimes, only what the runtime adds to each
# lock, load, store and unlock past the recorded window.
"$build/bench/free" "$((3 * runs))" $((2 * iters)) 1

echo "== bandwidth: free-mode jobs/s against the ideal k / cost"
echo "   (8 workers x 40 jobs, 5 ms a job, semaphore variant; medians)"
printf '   %3s %12s %12s %8s\n' k measured ideal ratio
for k in 1 2 4 8; do
	got=$(for i in $(seq "$runs"); do
		"$build/bin/bandwidth" --mode=free --variant=semaphore \
			--workers=8 --jobs=40 --cost=5 --permits=$k --quiet |
			sed -n 's/.*throughput=\([0-9]*\).*/\1/p'
	done | median)
	ideal=$((k * 1000 / 5))
	awk -v k=$k -v a="$got" -v b=$ideal 'BEGIN {
		printf "   %3d %12d %12d %7.3f  (target: at least 0.9)\n",
			k, a, b, a / b }'
done

echo "== prodcons: free-mode items/s, 1 producer and 1 consumer, 200000 items"
echo "   (medians; the baseline is a pipe between two threads)"
n=200000
pipe=$(for i in $(seq "$runs"); do "$build/bench/pipe" $n; done | median)
printf '   %-10s %9s %12s %8s\n' variant capacity items/s "vs pipe"
for v in busywait semaphore condvar; do
	for cap in 1 4 16; do
		got=$(for i in $(seq "$runs"); do
			"$build/bin/prodcons" --mode=free --variant=$v \
				--items=$n --capacity=$cap --quiet |
				sed -n 's/.*elapsed_us=\([0-9]*\).*/\1/p' |
				awk -v n=$n '{ printf "%.0f\n", n / ($1 / 1e6) }'
		done | median)
		awk -v v=$v -v c=$cap -v a="$got" -v b="$pipe" 'BEGIN {
			printf "   %-10s %9d %12d %7.2fx\n", v, c, a, a / b }'
	done
done
printf '   %-10s %9s %12d %7.2fx\n' pipe - "$pipe" 1

echo "== pipe: free-mode MB/s through a real pipe, 8-byte messages (higher is better)"
echo "   (medians; the baseline is dd to dd through a shell pipe, 8-byte blocks)"
# Each dd makes two system calls a block (it reads /dev/zero, or writes
# /dev/null, as well), the lesson's processes one a message: the baseline
# is what a shell user would try, not a bound.
n=1000000
mbs=$(for i in $(seq "$runs"); do
	"$build/bin/pipe" --mode=free --variant=eof --messages=$n --quiet |
		sed -n 's/.*elapsed_us=\([0-9]*\).*/\1/p' |
		awk -v n=$n '{ printf "%.2f\n", 8 * n / $1 }'
done | median)
dd=$(for i in $(seq "$runs"); do
	s=$(elapsed sh -c "dd if=/dev/zero bs=8 count=$n status=none |
		dd of=/dev/null bs=8 status=none")
	awk -v n=$n -v s="$s" 'BEGIN { printf "%.2f\n", 8 * n / s / 1e6 }'
done | median)
printf '   pipe eof, %d messages: %8.2f MB/s\n' $n "$mbs"
printf '   dd | dd, bs=8:           %8.2f MB/s\n' "$dd"
awk -v a="$mbs" -v b="$dd" 'BEGIN { printf "   ratio: %.2fx the baseline\n", a / b }'

echo "== mpqueue: free-mode items/s between processes, 1 producer, 1 consumer (higher is better)"
echo "   (medians; the baseline is the pipe lesson: 8-byte messages between two processes of one run)"
# Both are whole lesson runs (fork, the transfer, join), timed by the
# runtime from the processes' start to the last join (elapsed_us).
n=200000
per_s() { sed -n 's/.*elapsed_us=\([0-9]*\).*/\1/p' |
	awk -v n=$n '{ printf "%.0f\n", n / ($1 / 1e6) }'; }
base=$(for i in $(seq "$runs"); do
	"$build/bin/pipe" --mode=free --variant=eof --messages=$n --quiet | per_s
done | median)
printf '   %-10s %9s %12s %8s\n' variant capacity items/s "vs pipe"
for v in stop nowait; do
	for cap in 1 8; do
		got=$(for i in $(seq "$runs"); do
			"$build/bin/mpqueue" --mode=free --variant=$v \
				--producers=1 --consumers=1 --items=$n \
				--capacity=$cap --quiet | per_s
		done | median)
		awk -v v=$v -v c=$cap -v a="$got" -v b="$base" 'BEGIN {
			printf "   %-10s %9d %12d %7.2fx\n", v, c, a, a / b }'
	done
done
printf '   %-10s %9s %12d %7.2fx\n' pipe - "$base" 1

echo "== pct against random: seeds of 200 that break barrier naive-reusable (higher is better)"
# Not a speed: how often a policy finds a bug that needs one runner to
# run a whole round while the others wait (a lap through the turnstile).
broke() {
	n=0
	for s in $(seq 1 200); do
		"$build/bin/barrier" --variant=naive-reusable --runners=3 \
			--rounds=3 --seed="$s" --quiet "$@" |
			grep -q 'invariant=broken' && n=$((n + 1))
	done
	echo $n
}
rnd=$(broke --policy=random)
for d in 1 2 3; do
	printf '   pct --depth=%d: %3d of 200   random: %3d of 200\n' $d \
		"$(broke --policy=pct --depth=$d)" "$rnd"
done

echo "== manager: free-mode updates/s through a server process, against the"
echo "   same updates on a shared-memory counter under a process-shared lock"
echo "   (medians; both variants of the manager lesson, run alternately)"
# One update through the manager is a request and a reply: two writes,
# four reads and two context switches; under the lock it is a lock, a
# load, a store and an unlock in the client's own process.
n=20000
upd() {
	"$build/bin/manager" --mode=free --variant="$1" --clients="$2" \
		--iterations=$n --quiet |
		sed -n 's/.*elapsed_us=\([0-9]*\).*/\1/p' |
		awk -v n=$((n * $2)) '{ printf "%.0f\n", n / ($1 / 1e6) }'
}
printf '   %7s %14s %14s %10s\n' clients manager/s shared+lock/s "shared is"
for c in 1 2 4; do
	: >"$build/bench/mgr.a"
	: >"$build/bench/mgr.b"
	for i in $(seq "$runs"); do
		upd add $c >>"$build/bench/mgr.a"
		upd shared $c >>"$build/bench/mgr.b"
	done
	a=$(median <"$build/bench/mgr.a")
	b=$(median <"$build/bench/mgr.b")
	awk -v c=$c -v a="$a" -v b="$b" 'BEGIN {
		printf "   %7d %14d %14d %9.1fx faster\n", c, a, b, b / a }'
done

echo "== pool: map(fib, [35] * 8) on 1, 2 and 8 workers, processes and"
echo "   threads: wall time and speedup against 1 worker of the same kind"
echo "   (medians; the pool sizes and kinds run in turn)"
# A task is fib(35), ~35 ms of one core's work (33, the course's, is
# so short in C that starting the workers weighs in); the machine's cores
# bound the speedup, however many workers: see docs/lessons/pool.md.
# Threads have no GIL in C: they should scale as the processes do.
ms() {
	"$build/bin/pool" --mode=free --fn=fib --n=35 --tasks=8 \
		--variant="$2" --workers="$1" --quiet |
		sed -n 's/.*elapsed_us=\([0-9]*\).*/\1/p' |
		awk '{ printf "%.1f\n", $1 / 1000 }'
}
for v in map threads; do
	for w in 1 2 8; do : >"$build/bench/pool.$v.$w"; done
done
for i in $(seq "$runs"); do
	for w in 1 2 8; do
		for v in map threads; do
			ms $w $v >>"$build/bench/pool.$v.$w"
		done
	done
done
printf '   %7s %10s %8s %10s %8s   (%d cores)\n' workers "proc ms" speedup \
	"thread ms" speedup "$(nproc)"
pone=$(median <"$build/bench/pool.map.1")
tone=$(median <"$build/bench/pool.threads.1")
for w in 1 2 8; do
	p=$(median <"$build/bench/pool.map.$w")
	t=$(median <"$build/bench/pool.threads.$w")
	awk -v w=$w -v p="$p" -v t="$t" -v po="$pone" -v to="$tone" 'BEGIN {
		printf "   %7d %10.1f %7.2fx %10.1f %7.2fx\n", w, p, po / p,
			t, to / t }'
done
