#!/bin/sh
# tls.sh: a walkthrough of the tls lesson for a projector: each thread's
# own copy of a thread-local counter never races, the shared counter
# beside it does; and a pointer to another thread's copy is no good once
# that thread has ended.  See demo.sh for how a step runs; the output is
# in demos/README.md.
#
#   sh demos/tls.sh [BUILD]        (after `make`)
#
# expect: lost update: T1 wrote 1 over T2's 1: T2's count is lost
# expect: but T1 has finished, and its thread-local data with it: refused
# expect: variant=locked mode=step seed=1 steps=40 invariant=held sum=6 shared=6 expected=6
set -eu
. "$(dirname "$0")/demo.sh"
demo_lesson tls "$@"

say "1. Each thread counts in its own copy (hits) and in one shared counter: only shared loses."
show '!|summary' --iterations=1 --schedule=1,1,1,2,2,2,2,1 --plain
pause

say "2. A reporter follows pointers to the workers' copies after they ended: gone."
show '!|summary' --variant=cached --iterations=1 --plain
pause

say "3. The fixes: shared++ under a lock; each worker adds its own copy to sum while it lives."
run --variant=locked --quiet
run --variant=locked --seed=5 --quiet
pause

say "Now open it in the viewer: build/bin/tls  (each thread's own copy, beside the shared one)"
