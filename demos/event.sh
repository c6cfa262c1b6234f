#!/bin/sh
# event.sh: a walkthrough of the event lesson for a projector: readers
# wait for a flag (an event) before they read a table; raised after the
# table is filled, they see it all; raised first, they read it empty.  See
# demo.sh for how a step runs; the output is in demos/README.md.
#
#   sh demos/event.sh [BUILD]        (after `make`)
#
# expect: with only 0 of its entries filled in: the flag went up before the data
# expect: variant=stats mode=step seed=1 steps=17 invariant=held readers=2 entries=3 partial_reads=0
set -eu
. "$(dirname "$0")/demo.sh"
demo_lesson event "$@"

say "1. The updater raises the flag, then fills the table; the readers wait for the flag."
show '!|summary' --variant=set-first --policy=rr --plain
pause

say "2. The fix: fill the table, then raise the flag. The flag says 'the data is there'."
run --variant=stats --policy=rr --quiet
pause

say "3. On any schedule the readers see the whole table, never a part of it."
run --seed=2 --quiet
run --seed=3 --quiet
pause

say "4. An event is also a switch: workers count while it is on, wait while it is off."
run --variant=counter --rounds=1 --seed=2 --quiet
pause

say "Now open it in the viewer: build/bin/event  (watch the readers block on the flag)"
