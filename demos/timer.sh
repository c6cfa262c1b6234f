#!/bin/sh
# timer.sh: a walkthrough of the timer lesson for a projector: a timer
# thread that runs a function after a delay unless cancelled, and a
# heartbeat built from timers that re-arm themselves: re-armed before the
# count is updated, beats overlap and lose updates.  See demo.sh for how a
# step runs; the output is in demos/README.md.
#
#   sh demos/timer.sh [BUILD]        (after `make`)
#
# expect: the heart stops after 8 beats, the count never ran out
# expect: variant=heartbeat mode=step seed=1 steps=30 invariant=held bumps=2 expected=2 beeps=1
set -eu
. "$(dirname "$0")/demo.sh"
demo_lesson timer "$@"

say "1. A timer: its thread waits for the delay (or a cancel), then runs the function."
show '!|summary' --plain
pause

say "2. A heartbeat that re-arms its next timer first, then updates the count: beats overlap."
show 'lost update|stops|summary' --variant=rearm-first --plain
pause

say "3. The fix: update the count, then re-arm. One beat at a time, and it beeps at the end."
run --variant=heartbeat --beats=1 --quiet
run --variant=heartbeat --quiet
pause

say "Now open it in the viewer: build/bin/timer  (watch the step clock jump to each deadline)"
