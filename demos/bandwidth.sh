#!/bin/sh
# bandwidth.sh: a walkthrough of the bandwidth lesson for a projector:
# five workers and room for two, with no limit, with a counting semaphore
# of k permits, with k = 1 (a lock), and a bounded semaphore catching a
# permit given back twice.  See demo.sh for how a step runs; the output is
# in demos/README.md.
#
#   sh demos/bandwidth.sh [BUILD]        (after `make`)
#
# expect: permits=2 max_inside=5
# expect: variant=semaphore mode=step seed=1 steps=80 invariant=held permits=2 max_inside=2
# expect: that it does not hold: refused
set -eu
. "$(dirname "$0")/demo.sh"
demo_lesson bandwidth "$@"

say "1. No limit: five workers, room for two. Watch max_inside."
run --variant=none --policy=rr --quiet
pause

say "2. A counting semaphore of k=2 permits: wait to enter, post to leave."
run --variant=semaphore --quiet
run --variant=semaphore --policy=rr --quiet
pause

say "3. k=1: a semaphore of one permit is a lock."
run --variant=mutex --quiet
pause

say "4. A bug in the fix: a worker gives its permit back twice. A bounded semaphore refuses."
show '!' --variant=bounded --plain
pause

say "Now open it in the viewer: build/bin/bandwidth  (watch who is inside)"
