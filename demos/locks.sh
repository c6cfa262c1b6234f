#!/bin/sh
# locks.sh: a walkthrough of the locks lesson for a projector: a plain
# lock taken again by its holder waits for itself; a recursive lock does
# not; releasing a lock one does not hold is refused; and two printers
# without a lock interleave their letters.  See demo.sh for how a step
# runs; the output is in demos/README.md.
#
#   sh demos/locks.sh [BUILD]        (after `make`)
#
# expect: T1 holds lock and waits for it: it waits for itself
# expect: variant=recursive mode=step seed=1 steps=7 invariant=held balance=90 expected=90
# expect: but T1 holds it: refused with EPERM
# expect: variant=tidy mode=step seed=1 steps=16 invariant=held letters=6 switches=1
set -eu
. "$(dirname "$0")/demo.sh"
demo_lesson locks "$@"

say "1. A teller takes the lock, then calls a helper that takes it again."
run --threads=1 --plain
pause

say "2. A recursive lock counts its holder's takes: taken twice, released twice."
run --variant=recursive --threads=1 --rounds=1 --quiet
pause

say "3. Only the holder may release a lock: an auditor that tries is refused."
show '!|summary' --variant=not-owner --schedule=1,2 --rounds=1 --plain
pause

say "4. Two printers, a b c each, no lock: the letters interleave."
show '!|summary' --variant=messy --policy=rr --letters=3 --plain
pause

say "5. Each printer holds a lock for its whole alphabet: one switch, not five."
show '!|summary' --variant=tidy --policy=rr --letters=3 --plain
pause

say "Now open it in the viewer: build/bin/locks  (watch the lock's holder and depth)"
