#!/bin/sh
# prodcons.sh: a walkthrough of the producer/consumer lesson for a
# projector: a bounded buffer with no synchronisation loses and invents
# items; a monitor that checks with if fails with two consumers; the
# textbook semaphores and the monitor with while hold.  See demo.sh for
# how a step runs; the output is in demos/README.md.
#
#   sh demos/prodcons.sh [BUILD]        (after `make`)
#
# expect: T2 wrote item 2 over item 1 in slot0, which nobody took: item 1 is lost
# expect: the item it was woken for is gone, and the if did not look again
# expect: variant=condvar mode=step seed=2 steps=120 invariant=held produced=6 consumed=6
set -eu
. "$(dirname "$0")/demo.sh"
demo_lesson prodcons "$@"

say "1. Two producers, no synchronisation: both write slot 0. One item is lost."
show '!|summary' --variant=unsafe --producers=2 --items=1 --schedule=1,2,1,2,1,2 --plain
pause

say "2. The textbook fix: semaphores count empty and full slots, a mutex guards the indexes."
run --variant=semaphore --quiet
run --variant=semaphore --producers=2 --consumers=2 --quiet
pause

say "3. A monitor that waits with if, and two consumers: one wakes to an empty buffer."
show '!|summary' --variant=condvar-if --consumers=2 --seed=2 --plain
pause

say "4. The same seed with while: a woken consumer looks again before it takes."
run --variant=condvar --consumers=2 --seed=2 --quiet
pause

say "Now open it in the viewer: build/bin/prodcons  (watch the buffer's slots and indexes)"
