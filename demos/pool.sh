#!/bin/sh
# pool.sh: a walkthrough of the pool lesson for a projector: worker
# processes take tasks from a queue and map(square, [1, 2, 3, 4]) comes
# back as [1, 4, 9, 16] whichever worker did which; results put where
# they complete come back out of order; a worker that dies in a task
# leaves the pool waiting for ever; a pool that notices gives the task to
# a new worker.  See demo.sh for how a step runs; the output is in
# demos/README.md.
#
#   sh demos/pool.sh [BUILD]     (after `make`)
#
# expect: P1 main        load       r4 -> 16
# expect: not its task's: task 3's result is out of task order
# expect: P1 waits for semaphore done (count 0)
# expect: with task 1, which a new worker gets
set -eu
. "$(dirname "$0")/demo.sh"
demo_lesson pool "$@"

say "1. map(square, [1, 2, 3, 4]) on two workers: who stored which result, then P1 reads them in order."
show 'store +r|load +r|summary' --plain
pause

say "2. Each result put in the next free slot as it completes: another worker finished first."
show '!|summary' --variant=completion --seed=5 --plain
pause

say "3. A worker ends in the middle of task 1: P1 waits for a result that will never come."
show '!|summary' --variant=die --plain
pause

say "4. The same death, noticed: P1 waits at most a while, finds the worker gone, and a new one does the task."
show '!|summary' --variant=notice --plain
pause

say "Now open it in the viewer: build/bin/pool  (watch taken, the doing slots, and the results fill in by task number)"
