#!/bin/sh
# shmrace.sh: a walkthrough of the shmrace lesson for a projector: the lost
# update of the race lesson, but between processes that share a balance
# in shared memory; a process-shared lock and an atomic add fix it.  See
# demo.sh for how a step runs; the output is in demos/README.md.
#
#   sh demos/shmrace.sh [BUILD]        (after `make`)
#
# expect: lost update: P3 wrote 99 over P2's 101: P2's deposit is lost
# expect: variant=lock mode=step seed=1 steps=44 invariant=held balance=100 expected=100 lost_updates=0
set -eu
. "$(dirname "$0")/demo.sh"
demo_lesson shmrace "$@"

say "1. Two processes, one balance in shared memory: both read 100 before either writes."
show '!|summary' --iterations=1 --schedule=1,1,2,3,2,3 --plain
pause

say "2. Let the scheduler choose: the same seed loses the same updates, every time."
run --seed=4 --quiet
run --seed=4 --quiet
pause

say "3. The fixes: a process-shared lock, and one atomic add."
run --variant=lock --quiet
run --variant=atomic --quiet
pause

say "Now open it in the viewer: build/bin/shmrace  (processes, and the shared balance)"
