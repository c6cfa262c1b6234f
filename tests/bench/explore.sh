#!/bin/sh
# explore.sh BUILD: the explorer against Spin on the same model, end to end.
# race unsafe, --iterations=N: every schedule, the exact set of outcomes.
# Spin's time is spin -a, gcc and ./pan (an exhaustive search of the
# model's states, tests/bench/race.pml), with pan's own search time beside
# it; ours is the lesson's process from start to exit, with its state
# cache and, up to N = 5, without it (INTERLEAVE_EXPLORE_CACHE=0: every
# schedule run).  Medians of ERUNS runs (default 3); a search that has not
# ended after LIMIT seconds (default 30) is stopped and says so.
set -eu
build=${1:-build}
runs=${ERUNS:-3}
limit=${LIMIT:-30}
cc=${CC:-cc}
sh common/deps.sh tool spin spin >&2
dir=$build/bench/spin
mkdir -p "$dir"
cp tests/bench/race.pml "$dir/"

now() { date +%s%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", (b - a) / 1e9 }'; }

# spin N: seconds, end to end; the states it stored into $dir/states
spin_once() {
	t0=$(now)
	(cd "$dir" && spin -DN="$1" -a race.pml >/dev/null &&
		$cc -O2 -DSAFETY -o pan pan.c 2>/dev/null &&
		./pan -m10000000 >pan.out)
	t1=$(now)
	sed -n 's/^ *\([0-9]*\) states, stored.*/\1/p' "$dir/pan.out" >"$dir/states"
	sed -n 's/^pan: elapsed time \([0-9.e+-]*\) seconds.*/\1/p' \
		"$dir/pan.out" >"$dir/pan"
	secs "$t0" "$t1"
}

# ours N [CACHE]: seconds; its summary line into $dir/ours
ours_once() {
	t0=$(now)
	INTERLEAVE_EXPLORE_CACHE=${2:-1} "$build/bin/race" --iterations="$1" \
		--explore --quiet --explore-time="$limit" \
		--explore-limit=1000000000 >"$dir/ours"
	t1=$(now)
	secs "$t0" "$t1"
}

echo "== explorer: race unsafe, every schedule, end to end, against Spin 6"
echo "   (lower is better; medians of $runs runs; ours stops after $limit s)"
printf '   %4s %8s %10s %25s %9s %8s %8s %11s  %s\n' N "ours s" "our states" \
	executions "no cache" "spin s" "pan s" "spin states" "ours is"
for n in 3 5 10 20; do
	u=-
	if [ $n -le 5 ]; then
		u=$(for i in $(seq "$runs"); do ours_once $n 0; done | median)
	fi
	o=$(for i in $(seq "$runs"); do ours_once $n; done | median)
	s=$(for i in $(seq "$runs"); do spin_once $n; done | median)
	ex=$(sed -n 's/.* executions=\([0-9]*\).*/\1/p' "$dir/ours")
	ost=$(sed -n 's/.* states=\([0-9]*\).*/\1/p' "$dir/ours")
	stopped=0
	grep -q 'stopped=' "$dir/ours" && stopped=1
	awk -v n=$n -v o="$o" -v e="$ex" -v s="$s" -v p="$(cat "$dir/pan")" \
		-v st="$(cat "$dir/states")" -v ost="${ost:--}" -v u="$u" \
		-v stopped=$stopped 'BEGIN {
		r = o / s
		printf "   %4d %8.3f %10s %25s %9s %8.3f %8.3f %11d  ", n, o, ost,
			e, u, s, p, st
		if (stopped)
			print "not done in " o " s"
		else
			printf "%.2fx %s\n", r < 1 ? 1 / r : r,
				r < 1 ? "faster" : "slower" }'
done

echo "== explorer: every lesson, small runs (the ones the tests check against"
echo "   a brute force; tests/test_explore.c), one run each"
printf '   %-9s %-68s %10s %7s %8s %-13s %8s\n' lesson options executions \
	states outcomes verdict seconds
sed -n 's/^[[:space:]]*{ &\([a-z]*\)_lesson, "\([^"]*\)", \(true\|false\) },$/\1 \2/p' \
	tests/test_explore.c | while read -r lesson args; do
	t0=$(now)
	# shellcheck disable=SC2086 # the options are words
	line=$("$build/bin/$lesson" $args --explore --quiet --explore-time="$limit")
	t1=$(now)
	echo "$line" | awk -v l="$lesson" -v a="$args" -v s="$(secs "$t0" "$t1")" '{
		for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		printf "   %-9s %-68s %10s %7s %8d %-13s %8.3f\n", l, a,
			f["executions"], f["states"] == "" ? "-" : f["states"],
			f["outcomes"], f["invariant"], s }'
done
