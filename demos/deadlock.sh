#!/bin/sh
# deadlock.sh: a walkthrough of the deadlock lesson for a projector: two
# transfers that take two locks in opposite orders, the dining
# philosophers, and the fixes (one global order; one big lock).  See
# demo.sh for how a step runs; the output is in demos/README.md.
#
#   sh demos/deadlock.sh [BUILD]        (after `make`)
#
# expect: T1 holds a, waits for b; T2 holds b, waits for a
# expect: T3 holds f3, waits for f1
# expect: variant=ordered mode=step seed=1 steps=54 invariant=held
set -eu
. "$(dirname "$0")/demo.sh"
demo_lesson deadlock "$@"

say "1. T1 moves money a->b, T2 b->a. Each takes its first lock: nobody can go on."
run --schedule=1,2 --plain
pause

say "2. A random scheduler finds it too: two transfers go through, then the cycle."
run --seed=2 --quiet
pause

say "3. Three philosophers, each takes the left fork first: a ring of waits."
show '!|summary' --variant=philosophers --philosophers=3 --policy=rr --plain
pause

say "4. The fix: every thread takes the locks in one global order. No cycle can form."
run --variant=ordered --quiet
run --variant=forks-ordered --philosophers=3 --policy=rr --quiet
pause

say "5. Or one lock for the whole bank: safe, but the transfers never overlap."
run --variant=biglock --quiet
pause

say "Now open it in the viewer: build/bin/deadlock  (1/2: run a thread; try to deadlock it)"
