#!/bin/sh
# sched.sh: a walkthrough of the sched lesson for a projector: an event
# scheduler that runs events when they are due, by a step clock that jumps
# to the next deadline; workers that look at the head, sleep until due and
# run it, run events twice; a timed condition wait does not.  See demo.sh
# for how a step runs; the output is in demos/README.md.
#
#   sh demos/sched.sh [BUILD]        (after `make`)
#
# expect: another worker took it while this one slept
# expect: variant=workers mode=step seed=1 steps=108 invariant=held events=4 first=3 second=2 run_twice=0
set -eu
. "$(dirname "$0")/demo.sh"
demo_lesson sched "$@"

say "1. One thread enters four events with delays, then runs each when it is due."
show 'runs event|summary' --plain
pause

say "2. Two workers: look at the head, sleep until it is due, run it. Both run it."
show 'AGAIN|summary' --variant=check-sleep --policy=rr --unit=30 --plain
pause

say "3. The fix: a timed condition wait until the head is due, then look again under the lock."
run --variant=workers --policy=rr --unit=30 --quiet
run --variant=workers --quiet
pause

say "Now open it in the viewer: build/bin/sched  (the queue, and the clock)"
