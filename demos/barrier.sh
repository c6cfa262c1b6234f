#!/bin/sh
# barrier.sh: a walkthrough of the barrier lesson for a projector: runners
# that start before the others have lined up, a barrier whose last arrival
# fires the gun, a home-made reusable barrier that breaks in round 2, and
# the two-turnstile fix.  See demo.sh for how a step runs; the output is in
# demos/README.md.
#
#   sh demos/barrier.sh [BUILD]        (after `make`)
#
# expect: before T2 had lined up: an early start
# expect: variant=barrier mode=step seed=1 steps=24 invariant=held rounds=1 early_starts=0
# expect: variant=reusable mode=step seed=1 steps=110 invariant=held rounds=2 early_starts=0
set -eu
. "$(dirname "$0")/demo.sh"
demo_lesson barrier "$@"

say "1. No barrier: a runner sets off as soon as it lines up, before the others."
show '!|summary' --variant=none --plain
pause

say "2. A barrier: nobody goes until the last runner arrives, and that one fires the gun."
run --variant=barrier --quiet
run --variant=barrier --rounds=3 --quiet
pause

say "3. A counter and one turnstile, used twice: round 2 goes wrong."
show '!|summary' --variant=naive-reusable --rounds=2 --policy=rr --quantum=100 --plain
pause

say "4. The fix: two turnstiles, one to get in, one to get out. Safe to reuse."
run --variant=reusable --rounds=2 --policy=rr --quantum=100 --quiet
pause

say "Now open it in the viewer: build/bin/barrier  (watch the runners line up)"
