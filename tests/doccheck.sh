#!/bin/sh
# doccheck.sh: run every example in the docs and compare its output with
# what the docs show (a cram-style test).
#
#   sh tests/doccheck.sh [--update] [--build DIR] [--uncached] [FILE...]
#
# An example is a line in an indented (4 spaces, or more in a list) block
# that starts with "$ ", the command, followed by the lines of the same
# block up to the next "$ " line or the end of the block: the expected
# output, stdout and stderr together.  A non-zero exit status is shown
# as a last line "[N]".  In an expected line, "..." matches any run of
# characters on that line (for timings and counts of free-mode runs); use
# it sparingly.  An example that runs --mode=free (real threads, on a
# machine that may be busy) gets up to 5 runs to match.  Blocks inside
# ``` fences are not examples.
#
# Each command runs with sh from the repository root, stdin from /dev/null,
# stdout and stderr into a file (no terminal), in a fixed environment:
# LC_ALL=C, NO_COLOR=1, TERM=dumb, XDG_STATE_HOME a directory of the
# example's own, not made yet (so no example writes the reader's state
# files, a met challenge, an answered quiz, and each starts with none),
# and only PATH, HOME and the sanitizers' *_OPTIONS passed through.  With --build DIR (default build), build/ in a
# command means DIR: the commands run in a copy of the tree made of
# symbolic links, whose build/ points at DIR.
#
# --uncached: DIR's explorer has no state cache (a sanitizer build, see
# docs/design.md), so it reports no states: an example matches if it does
# with " through N states" and " states=N" left out of both sides.
#
# FILEs are paths from the top of the tree; without FILE, README.md,
# docs/**/*.md and demos/*.  On a difference it prints a unified diff per
# file (the doc as it is, and as it would be with the real output) and
# exits 1.  --update writes the real
# output into the docs instead, keeping the "..." markers (see merge());
# review it with git diff.  Prose that names a lesson line by number
# ("line 58") fails too: name its label (q6) instead.
#
# Exit status: 0 all examples match (or were updated), 1 a difference or
# a line number in prose, 2 usage or setup error.  docs/README.md has more.
set -u

update=0
uncached=0
build=build
while [ $# -gt 0 ]; do
	case $1 in
	--update) update=1; shift ;;
	--build) [ $# -ge 2 ] || { echo "doccheck: --build needs a directory" >&2; exit 2; }
		build=$2; shift 2 ;;
	--build=*) build=${1#--build=}; shift ;;
	--uncached) uncached=1; shift ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	--) shift; break ;;
	-*) echo "doccheck: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) break ;;
	esac
done

root=$(cd "$(dirname "$0")/.." && pwd) || exit 2
cd "$root" || exit 2
if [ ! -d "$build/bin" ]; then
	echo "doccheck: $build/bin not found; run 'make' first" >&2
	exit 2
fi
if [ $# -eq 0 ]; then
	# The tree's file names have no spaces.
	# shellcheck disable=SC2046
	set -- README.md $(find docs -name '*.md' | LC_ALL=C sort) \
		$(find demos -type f | LC_ALL=C sort)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/doccheck.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
trap 'exit 2' HUP INT TERM

# Where the commands run: the tree itself, or a copy whose build/ is $build.
run_root=$root
if [ "$(cd "$build" && pwd)" != "$root/build" ]; then
	run_root=$work/root
	mkdir "$run_root" || exit 2
	for f in "$root"/* "$root"/.[!.]*; do
		[ -e "$f" ] || continue
		[ "${f##*/}" = build ] && continue
		ln -s "$f" "$run_root/${f##*/}"
	done
	ln -s "$(cd "$build" && pwd)" "$run_root/build"
fi

# The sanitizers' options pass through; nothing else from the caller.
keep=
for v in ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS LSAN_OPTIONS; do
	eval "val=\${$v-}"
	[ -n "$val" ] && keep="$keep $v=$val"
done
to=
command -v timeout >/dev/null 2>&1 && to="timeout 300"

# extract FILE DIR: one DIR/N.cmd and DIR/N.exp per example, and DIR/map
# with "N FIRST LAST INDENT" per example: the line of its command, the last
# line of its expected output (FIRST when it shows none), and how far it is
# indented (4, or more in a list).  Prose that names a lesson line by
# number goes to DIR/cites.
extract() {
	awk -v dir="$2" '
	function flush() {
		if (n && !done) {
			printf "%d %d %d %d\n", n, first, last, length(pad) > (dir "/map")
			done = 1
		}
		blanks = 0
	}
	/^[ \t]*```/ { flush(); fence = !fence; next }
	fence { next }
	/^    +\$ / {
		flush()
		match($0, /^ +/); pad = substr($0, 1, RLENGTH)
		n++; done = 0; first = last = NR
		printf "%s\n", substr($0, RLENGTH + 3) > (dir "/" n ".cmd")
		printf "" > (dir "/" n ".exp")
		next
	}
	/^[ \t]*$/ { if (n && !done) blanks++; next }
	n && !done && substr($0, 1, length(pad)) == pad {
		for (; blanks > 0; blanks--) print "" > (dir "/" n ".exp")
		print substr($0, length(pad) + 1) > (dir "/" n ".exp")
		last = NR
		next
	}
	{ flush() }
	/^    / { next }
	# Prose names a lesson line by its label (q6), not its number; a
	# `code span` may quote output ("line 30").
	{ t = $0; gsub(/`[^`]*`/, "", t) }
	tolower(t) ~ /(^|[^a-z])lines? [0-9]/ {
		printf "%s:%d: names a lesson line by number; name its label (q6, r1, ...)\n", \
			FILENAME, FNR > (dir "/cites")
	}
	END { flush(); if (!n) printf "" > (dir "/map") }
	' "$1"
}

# merge EXP OUT: the expected output as the doc should show it: OUT,
# except that a line of EXP that matches its line of OUT (with "...") is
# kept as written, and one that no longer matches keeps its markers where
# it can: "key=..." stays for the same key, and a lone "..." for the words
# up to the pattern's next key (a summary line gets a new figure, and its
# free-mode figures stay wildcards).
merge() {
	awk -v expf="$1" '
	function match1(p, s,    k, i, np, parts) {
		if (p == s) return 1
		if (index(p, "...") == 0) return 0
		np = split(p, parts, /\.\.\./)
		if (substr(s, 1, length(parts[1])) != parts[1]) return 0
		s = substr(s, length(parts[1]) + 1)
		for (k = 2; k < np; k++) {
			i = index(s, parts[k]); if (!i) return 0
			s = substr(s, i + length(parts[k]))
		}
		return length(s) >= length(parts[np]) && \
		       substr(s, length(s) - length(parts[np]) + 1) == parts[np]
	}
	# Words of s into W, the spaces before each into S; the count.
	function words(s, W, S,    n) {
		split("", W); split("", S); n = 0
		while (match(s, /[^ ]+/)) {
			S[++n] = substr(s, 1, RSTART - 1)
			W[n] = substr(s, RSTART, RLENGTH)
			s = substr(s, RSTART + RLENGTH)
		}
		tail = s
		return n
	}
	function key(w,    i) { i = index(w, "="); return i ? substr(w, 1, i) : w }
	# OUT line s, with the markers of pattern p carried over.
	function remerge(p, s,    np, na, i, j, k, out, ptail) {
		np = words(p, PW, PS); ptail = tail
		na = words(s, AW, AS)
		out = ""; j = 1
		for (i = 1; i <= np; i++) {
			if (PW[i] == "...") {
				k = na + 1
				if (i < np)
					for (k = j; k <= na && key(AW[k]) != key(PW[i + 1]); k++) ;
				out = out (j <= na ? AS[j] : PS[i]) "..."
				if (k <= na || i == np) j = k
				continue
			}
			for (k = j; k <= na && key(AW[k]) != key(PW[i]); k++) ;
			if (k > na) continue
			for (; j < k; j++) out = out AS[j] AW[j]
			out = out AS[k] (index(PW[i], "...") ? PW[i] : AW[k])
			j = k + 1
		}
		for (; j <= na; j++) out = out AS[j] AW[j]
		return out tail
	}
	function first(s) { sub(/^ +/, "", s); sub(/ .*/, "", s); return s }
	BEGIN { m = 0; while ((getline l < expf) > 0) e[++m] = l }
	{ a[++n] = $0 }
	END {
		i = 1
		for (j = 1; j <= n; j++) {
			for (k = i; k <= m && !match1(e[k], a[j]); k++) ;
			if (k <= m) { print e[k]; i = k + 1 }
			else if (i <= m && index(e[i], "...") && first(e[i]) == first(a[j])) {
				print remerge(e[i], a[j]); i++
			} else print a[j]
		}
	}' "$2"
}

# rewrite FILE DIR: FILE with each example's output replaced by DIR/N.new.
rewrite() {
	awk -v dir="$2" '
	BEGIN { while ((getline l < (dir "/map")) > 0) {
		split(l, f, " "); at[f[2]] = f[1]; upto[f[2]] = f[3]
		ind[f[2]] = sprintf("%" f[4] "s", "") } }
	skip && FNR <= skip { next }
	{ skip = 0; print }
	FNR in at {
		nf = dir "/" at[FNR] ".new"
		while ((getline l < nf) > 0) print (l == "" ? "" : ind[FNR] l)
		close(nf)
		skip = upto[FNR]
	}' "$1"
}

# run_example DIR N: run example N, its output into DIR/N.out, and what
# the doc would show with it into DIR/N.new.
run_example() {
	# shellcheck disable=SC2086
	(cd "$run_root" && exec env -i PATH="$PATH" HOME="${HOME:-/}" \
		LC_ALL=C NO_COLOR=1 TERM=dumb \
		XDG_STATE_HOME="$1/$2.state" $keep \
		$to sh -c "$(cat "$1/$2.cmd")") \
		</dev/null >"$1/$2.out" 2>&1
	rc=$?
	[ $rc -ne 0 ] && echo "[$rc]" >>"$1/$2.out"
	merge "$1/$2.exp" "$1/$2.out" >"$1/$2.new"
	if [ $uncached = 1 ] && ! cmp -s "$1/$2.exp" "$1/$2.new"; then
		strip='s/ through [0-9]* states//; s/ states=[0-9]*//'
		sed "$strip" "$1/$2.exp" >"$1/$2.expn"
		sed "$strip" "$1/$2.out" >"$1/$2.outn"
		merge "$1/$2.expn" "$1/$2.outn" >"$1/$2.newn"
		cmp -s "$1/$2.expn" "$1/$2.newn" && cp "$1/$2.exp" "$1/$2.new"
	fi
	rm -rf "$1/$2.state"
}

# A free-mode run is real threads on a machine that may be busy: what the
# doc shows is what such a run does, nearly always (a race that loses
# updates, a deadlock), not what it must do every time.  So it gets up to
# free_tries runs to show it; a doc that is wrong still fails every one.
free_tries=5

status=0 files=0 examples=0 failed=0 cites=0 differ=0
for file in "$@"; do
	[ -f "$file" ] || { echo "doccheck: $file: no such file" >&2; exit 2; }
	files=$((files + 1))
	d=$work/f$files
	mkdir "$d" || exit 2
	extract "$file" "$d" || exit 2
	if [ -s "$d/cites" ]; then
		cat "$d/cites" >&2
		cites=$((cites + $(wc -l <"$d/cites")))
		status=1
	fi
	[ -s "$d/map" ] || continue
	while read -r n _; do
		examples=$((examples + 1))
		tries=1
		grep -q -- '--mode=free' "$d/$n.cmd" && tries=$free_tries
		while [ $tries -gt 0 ]; do
			run_example "$d" "$n"
			cmp -s "$d/$n.exp" "$d/$n.new" && break
			tries=$((tries - 1))
		done
		[ $tries -gt 0 ] || failed=$((failed + 1))
	done <"$d/map"
	rewrite "$file" "$d" >"$d/doc"
	if ! cmp -s "$file" "$d/doc"; then
		if [ $update = 1 ]; then
			cat "$d/doc" >"$file" && echo "doccheck: updated $file"
		else
			diff -u --label "$file (docs)" --label "$file (real output)" \
				"$file" "$d/doc"
			status=1
			differ=$((differ + 1))
		fi
	fi
done

if [ $update = 1 ]; then
	echo "doccheck: $examples examples in $files files; $failed updated"
elif [ $failed = 0 ] && [ $status = 0 ]; then
	echo "doccheck: $examples examples in $files files: all match"
elif [ $failed = 0 ]; then
	echo "doccheck: the outputs match, but $differ file(s) show them with" \
		"other spaces at line ends (above); run: sh tests/doccheck.sh --update" >&2
else
	echo "doccheck: $failed of $examples examples differ from the docs" \
		"(above: - docs, + real output); if the programs are right," \
		"run: sh tests/doccheck.sh --update" >&2
fi
if [ $cites -gt 0 ]; then
	echo "doccheck: $cites lines of prose name lesson lines by number" >&2
fi
exit $status
