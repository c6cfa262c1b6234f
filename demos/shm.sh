#!/bin/sh
# shm.sh: a walkthrough of the shm lesson for a projector: processes find
# a named shared-memory segment (shm_open, ftruncate, mmap); workers that
# update its cells without a lock tear them; attaching before the creator
# sized it is refused; a name nobody unlinks outlives the run.  See
# demo.sh for how a step runs; the output is in demos/README.md.
#
#   sh demos/shm.sh [BUILD]        (after `make`)
#
# expect: variant=unlocked mode=step seed=1 steps=54 invariant=broken attached=2 workers=2 torn=2
# expect: before its creator sized it (0 bytes): refused with EINVAL
# expect: variant=correct mode=step seed=1 steps=62 invariant=held attached=2 workers=2 torn=0 left=0
set -eu
. "$(dirname "$0")/demo.sh"
demo_lesson shm "$@"

say "1. Two workers update the matrix's cells with no lock, switching every 2 steps: torn rows."
run --variant=unlocked --policy=rr --quantum=2 --quiet
pause

say "2. The workers attach before the creator has sized the segment: refused, nothing to map."
show 'refused|summary' --variant=early-attach --schedule=1,1,1,2,3 --plain
pause

say "3. Nobody unlinks the name: the segment stays in /dev/shm after every process closed it."
show 'summary' --variant=forget-unlink --plain
pause

say "4. The fix: attach once the creator sized it, a lock around each row, main unlinks at the end."
run --quiet
run --policy=rr --quantum=2 --quiet
pause

say "Now open it in the viewer: build/bin/shm  (each process's mapping of the segment)"
