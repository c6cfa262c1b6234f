#!/bin/sh
# deps.sh OUT: make sure the Debian packages the build needs are present,
# installing the missing ones with apt-get (through sudo when not root), then
# write the compiler and linker flags they provide to OUT, a make fragment.
# Exits 1 with the exact command to run when it cannot install by itself.
set -eu
out=${1:?usage: deps.sh OUT}

need=""
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
if command -v pkg-config >/dev/null 2>&1; then
	pkg-config --exists ncursesw || need="$need libncurses-dev"
	pkg-config --exists check || need="$need check"
else
	need="$need libncurses-dev check"
fi
command -v tmux >/dev/null 2>&1 || need="$need tmux"

if [ -n "$need" ]; then
	echo "interleave: missing Debian packages:$need"
	sudo=""
	if [ "$(id -u)" != 0 ]; then
		if command -v sudo >/dev/null 2>&1; then
			sudo="sudo"
		else
			echo "interleave: not root and no sudo; run as root:" >&2
			echo "    apt-get update && apt-get install -y$need" >&2
			exit 1
		fi
	fi
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "interleave: no apt-get here; install the equivalents of:$need" >&2
		exit 1
	fi
	echo "interleave: running: $sudo apt-get update && $sudo apt-get install -y$need"
	if ! { $sudo apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq$need; }; then
		echo "interleave: install failed; run it yourself:" >&2
		echo "    sudo apt-get update && sudo apt-get install -y$need" >&2
		exit 1
	fi
fi

mkdir -p "$(dirname "$out")"
{
	echo "# written by common/deps.sh; remove to re-check"
	echo "NCURSES_CFLAGS := $(pkg-config --cflags ncursesw)"
	echo "NCURSES_LIBS := $(pkg-config --libs ncursesw)"
	echo "CHECK_CFLAGS := $(pkg-config --cflags check)"
	echo "CHECK_LIBS := $(pkg-config --libs check)"
} >"$out.tmp"
mv "$out.tmp" "$out"
