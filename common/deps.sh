#!/bin/sh
# deps.sh: make sure the Debian packages a make target needs are present,
# installing the missing ones with apt-get (through sudo when not root).
#
#   deps.sh config OUT     what building and testing need: pkg-config, the
#                          ncurses and Check headers, tmux, groff (the man
#                          pages' check), asciinema (--record's check:
#                          its own player reads the file); then write their
#                          compiler and linker flags to OUT, a make fragment
#   deps.sh tool CMD PKG   the command CMD, from package PKG (make lint:
#                          cppcheck; make check-valgrind: valgrind)
#
# Exits 1 with the exact command to run when it cannot install by itself;
# that command installs everything the project uses, so it is needed once.
set -eu

all="pkg-config libncurses-dev check tmux groff-base asciinema cppcheck valgrind"

# install PKG...: apt-get install them, saying so; apt's own output is kept
# in a log that is shown only if it fails.
install() {
	echo "interleave: missing Debian packages: $*"
	sudo=""
	if [ "$(id -u)" != 0 ]; then
		if command -v sudo >/dev/null 2>&1; then
			sudo="sudo "
		else
			echo "interleave: not root and no sudo; as root, run:" >&2
			echo "    apt-get update && apt-get install -y $all" >&2
			exit 1
		fi
	fi
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "interleave: no apt-get here; install the equivalents of: $all" >&2
		exit 1
	fi
	echo "interleave: running: ${sudo}apt-get update && ${sudo}apt-get install -y $*"
	log=$(mktemp)
	if ! { ${sudo}apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive ${sudo}apt-get install -y -qq \
			"$@"; } >"$log" 2>&1; then
		tail -n 20 "$log" >&2
		rm -f "$log"
		echo "interleave: install failed; run it yourself:" >&2
		echo "    ${sudo}apt-get update && ${sudo}apt-get install -y $all" >&2
		exit 1
	fi
	rm -f "$log"
	echo "interleave: installed: $*"
}

config() {
	out=$1
	need=""
	command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
	if command -v pkg-config >/dev/null 2>&1; then
		pkg-config --exists ncursesw || need="$need libncurses-dev"
		pkg-config --exists check || need="$need check"
	else
		need="$need libncurses-dev check"
	fi
	command -v tmux >/dev/null 2>&1 || need="$need tmux"
	command -v groff >/dev/null 2>&1 || need="$need groff-base"
	command -v asciinema >/dev/null 2>&1 || need="$need asciinema"
	# shellcheck disable=SC2086 # a list of package names
	[ -z "$need" ] || install $need

	mkdir -p "$(dirname "$out")"
	{
		echo "# written by common/deps.sh; remove to re-check"
		echo "NCURSES_CFLAGS := $(pkg-config --cflags ncursesw)"
		echo "NCURSES_LIBS := $(pkg-config --libs ncursesw)"
		echo "CHECK_CFLAGS := $(pkg-config --cflags check)"
		echo "CHECK_LIBS := $(pkg-config --libs check)"
	} >"$out.tmp"
	mv "$out.tmp" "$out"
}

case "${1:-}" in
config)
	config "${2:?usage: deps.sh config OUT}"
	;;
tool)
	command -v "${2:?usage: deps.sh tool CMD PKG}" >/dev/null 2>&1 ||
		install "${3:?usage: deps.sh tool CMD PKG}"
	;;
*)
	echo "usage: deps.sh config OUT | deps.sh tool CMD PKG" >&2
	exit 2
	;;
esac
