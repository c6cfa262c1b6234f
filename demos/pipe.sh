#!/bin/sh
# pipe.sh: a walkthrough of the pipe lesson for a projector: a sender
# process writes messages into a pipe and a receiver reads to end of file;
# the receiver that forgot to close its own copy of the write end waits
# for ever; two processes that both read first wait for each other.  See
# demo.sh for how a step runs; the output is in demos/README.md.
#
#   sh demos/pipe.sh [BUILD]        (after `make`)
#
# expect: but P3 still holds one: P3 will not see end of file while it does
# expect: whose write end P3 itself still holds open
# expect: variant=eof mode=step seed=1 steps=18 invariant=held sent=24 received=24 messages=3
set -eu
. "$(dirname "$0")/demo.sh"
demo_lesson pipe "$@"

say "1. The receiver reads until end of file, but forgot to close its copy of the write end."
show '!|summary' --variant=forgot-close --policy=rr --plain
pause

say "2. The fix: every process closes the ends it does not use. Now EOF comes."
run --variant=eof --quiet
run --variant=eof --policy=rr --quiet
pause

say "3. Or say when you are done in the stream itself: a last message, END."
run --variant=sentinel --quiet
pause

say "4. A pipe holds only so much: the sender waits for the reader, nothing is lost."
run --variant=full --messages=5 --policy=rr --quiet
pause

say "5. Request and reply over two pipes, and both sides read first: they wait for each other."
show '!|summary' --variant=two-way --plain
pause

say "Now open it in the viewer: build/bin/pipe  (watch who holds which end of the pipe)"
