#!/bin/sh
# mpqueue.sh: a walkthrough of the mpqueue lesson for a projector: producer
# and consumer processes on a bounded queue in shared memory; a consumer
# that asks empty() and then gets waits for ever once another took the
# last item; a timed get that gives up too soon leaves items behind; the
# stop message ends each consumer instead.  See demo.sh for how a step
# runs; the output is in demos/README.md.
#
#   sh demos/mpqueue.sh [BUILD]     (after `make`)
#
# expect: P4 waits for semaphore items (count 0)
# expect: Empty, and it took that for the end; a producer may not be done
# expect: variant=stop mode=step seed=1 steps=103 invariant=held produced=3 consumed=3
set -eu
. "$(dirname "$0")/demo.sh"
demo_lesson mpqueue "$@"

say "1. One producer, two consumers, a queue of two slots; one stop message per consumer ends it."
run --quiet
pause

say "2. A consumer asks empty(), then gets: between the two, the other consumer took the last item."
show '!|summary' --variant=empty-check --consumers=2 --items=1 --policy=rr --plain
pause

say "3. A get that waits at most 3 steps, and takes Empty for the end: the producer is slow, not done."
show '!|summary' --variant=timeout --make=4 --timeout=3 --capacity=4 --plain
pause

say "4. The same slow producer with the stop message: consumers wait for an item or a stop."
run --variant=stop --make=4 --capacity=4 --quiet
pause

say "5. put and get that never wait: Full and Empty, counted, and try again."
run --variant=nowait --quiet
pause

say "Now open it in the viewer: build/bin/mpqueue  (watch the slots, and who waits on which semaphore)"
