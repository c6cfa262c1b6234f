#!/bin/sh
# lost-update.sh: a five-minute instructor walkthrough of the race lesson,
# in plain text for a projector.  Each step says what to watch, runs one
# command (shown as "> race ..."), and waits for Enter when the input is a
# terminal (DEMO_NO_PAUSE=1 runs straight through anyway).  Its output is
# shown, and checked by make check, in demos/README.md.
#
#   sh demos/lost-update.sh [BUILD]        (after `make`)
#
# expect: T2 wrote 99 over T1's 101: T1's deposit is lost
# expect: variant=mutex mode=free seed=- steps=80000004 invariant=held balance=100
set -eu
. "$(dirname "$0")/demo.sh"
demo_lesson race "$@"

say "1. One deposit, one withdrawal, one at a time: the balance is right."
run --iterations=1 --schedule=1,1,2,2 --plain
pause

say "2. The same two threads, interleaved: both read 100 before either writes."
run --iterations=1 --schedule=1,2,1,2 --plain
pause

say "3. Let the scheduler choose: the same seed is the same run, every time."
run --seed=4 --quiet
run --seed=4 --quiet
pause

say "4. Round robin, one step each: every deposit is lost."
run --policy=rr --iterations=10 --quiet
pause

say "5. Not a simulation: two real threads, ten million updates each."
run --mode=free --quiet
pause

say "6. The fixes: a mutex, and one atomic add. Nothing lost, ever."
run --variant=mutex --quiet
run --variant=atomic --quiet
run --mode=free --variant=mutex --quiet
pause

say "Now open it in the viewer: build/bin/race  (n: step, b: back, 1/2: run a thread)"
