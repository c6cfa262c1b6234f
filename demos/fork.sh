#!/bin/sh
# fork.sh: a walkthrough of the fork lesson for a projector: a child
# process squares numbers into its own copy of memory, so the parent never
# sees the result; memory shared before the fork, read after the join,
# fixes it; without the join the parent reads too early.  See demo.sh for
# how a step runs; the output is in demos/README.md.
#
#   sh demos/fork.sh [BUILD]        (after `make`)
#
# expect: P1 read its own copy of square_sum: 0; P2's copy holds 30
# expect: variant=shared mode=step seed=1 steps=18 invariant=held printed=30 expected=30
set -eu
. "$(dirname "$0")/demo.sh"
demo_lesson fork "$@"

say "1. P1 forks P2; P2 sums the squares 1..4 = 30. What does P1 print?"
show 'fork|join|!|summary' --variant=private --policy=rr --plain
pause

say "2. After fork, each process has its own memory. Put the result in shared memory."
run --variant=shared --quiet
run --variant=shared --seed=7 --quiet
pause

say "3. Shared, but the parent does not join: it prints before the child is done."
run --variant=no-join --schedule=1,1,1,1 --quiet
pause

say "4. Real processes: a real fork(), the parent's copy stays 0."
run --mode=free --quiet
run --variant=shared --mode=free --quiet
pause

say "Now open it in the viewer: build/bin/fork  (each process has a column, and its own copy)"
