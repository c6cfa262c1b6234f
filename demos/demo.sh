# shellcheck shell=sh
# demo.sh: what every script in demos/ shares; sourced, not run.
#
# A demo is a sequence of steps, each for a projector: say what to watch
# (say), run one lesson command and show it as typed (run, or show to keep
# only the lines that carry the point), then wait for Enter (pause) so the
# room can look before the next step.  DEMO_NO_PAUSE=1, or input that is
# not a terminal, runs straight through: that is how make check runs
# every demo and compares its output with demos/README.md.
#
#   demo_lesson NAME [BUILD]   the lesson the demo runs: BUILD/bin/NAME
#                              (BUILD defaults to build); exit 2 if absent

demo_lesson() {
	demo_name=$1
	demo_bin=${2:-build}/bin/$1
	if [ ! -x "$demo_bin" ]; then
		echo "demos: $demo_bin not found; run 'make' first" >&2
		exit 2
	fi
}

# A step's heading: what the room should watch for.
say() { printf '\n== %s\n' "$1"; }

# Run the lesson with these options, shown first as "> NAME OPTIONS".
run() { printf '> %s %s\n' "$demo_name" "$*"; "$demo_bin" "$@"; }

# show PATTERN OPTIONS...: the same, keeping only the output lines that
# match the extended regular expression PATTERN (fails if none does: the
# point the narration promised is not there).
show() {
	demo_pattern=$1
	shift
	printf "> %s %s | grep -E '%s'\n" "$demo_name" "$*" "$demo_pattern"
	"$demo_bin" "$@" | grep -E "$demo_pattern"
}

# Wait for Enter, when someone is there to press it.
pause() {
	[ "${DEMO_NO_PAUSE:-}" = 1 ] && return
	[ -t 0 ] || return 0
	printf '\n[Enter] '
	read -r _ || true
}
