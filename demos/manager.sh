#!/bin/sh
# manager.sh: a walkthrough of the manager lesson for a projector: a
# server process owns a list and a dictionary, and clients change them by
# framed requests over pipes; appends are never lost, because the server
# does one request at a time; count = count + 1 as a get and then a set
# loses updates, because each call is atomic and the pair is not; one add
# call fixes it; shared memory under a lock does the same in a fraction
# of the steps.  See demo.sh for how a step runs; the output is in
# demos/README.md.
#
#   sh demos/manager.sh [BUILD]     (after `make`)
#
# expect: P4 server      store      serving = 3 (was 2)
# expect: P4 server      store      count = 1 (was 1)
# expect: which the asking client never read: 1 more increment(s) lost
# expect: variant=add mode=step seed=1 steps=66 invariant=held expected=6 printed=6 lost=0
set -eu
. "$(dirname "$0")/demo.sh"
demo_lesson manager "$@"

say "1. Two clients append to the server's list: the server serves one request at a time (serving = the client), and all 6 items are listed."
show 'serving =|listed|summary' --plain
pause

say "2. count = count + 1, as a get and then a set: both gets read 0, both sets write 1; each call is atomic, the pair is not."
show 'count -> |count = |lost|summary' --variant=get-set --policy=rr --plain
pause

say "3. The fix: one call, add, and the server does the sum."
run --variant=add --policy=rr --quiet
pause

say "4. No server: the count in shared memory, under a lock. Count the steps."
run --variant=shared --policy=rr --quiet
pause

say "Now open it in the viewer: build/bin/manager  (watch each request go to the server and its reply come back)"
