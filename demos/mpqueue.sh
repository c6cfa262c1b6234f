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
# expect: P1 main        store      q1 = -1 (was 0)
# expect: P4 consumer    load       count -> 1
# expect: P4 waits for semaphore items (count 0)
# expect: P2 producer    store      q0 = 1 (was 0)
# expect: took the Empty of get(timeout=3) for the end: a producer may not be done
# expect: P3 consumer    load       q3 -> -1
# expect: put(2, block=False): Full, no free slot; it will try again
# expect: variant=stop mode=step seed=1 steps=103 invariant=held produced=3 consumed=3
set -eu
. "$(dirname "$0")/demo.sh"
demo_lesson mpqueue "$@"

say "1. One producer, two consumers, a queue of two slots: P1 puts one stop message (-1) per consumer, and each consumer that takes one exits."
show ' = -1 |-> -1|consumer +exit|summary' --plain
pause

say "2. A consumer asks empty(), then gets: both see count 1, P3 takes the one item, and P4's get waits for ever."
show 'count -> 1|items|deadlock|summary' --variant=empty-check --consumers=2 --items=1 --policy=rr --plain
pause

say "3. A get that waits at most 3 steps, and takes Empty for the end: P4 gives up with the first item already in q0, one step before it is counted."
show 'consumer  |q0 = 1|items -> count 1|summary' --variant=timeout --make=4 --timeout=3 --capacity=4 --plain
pause

say "4. The same slow producer with the stop message: each consumer's get waits for an item or a stop; every item is taken, then one stop each."
show 'consumer +sem-wait|-> -1|summary' --variant=stop --make=4 --capacity=4 --plain
pause

say "5. put and get that never wait: a put into the full queue answers Full and tries again; the Empty answers are counted (empty=)."
show 'Full|summary' --variant=nowait --items=2 --consumers=1 --capacity=1 --seed=16 --plain
pause

say "Now open it in the viewer: build/bin/mpqueue  (watch the slots, and who waits on which semaphore)"
