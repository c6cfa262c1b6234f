# Bash completion for interleave, the launcher, and for every lesson's
# program (interleave-race, build/bin/race, ...).
#
# Nothing here names a lesson or an option: the programs are asked (the
# launcher's --list, a lesson's --help and --list-variants), so a lesson
# added later completes with no edit.  One program call per completion.
#
# Installed by `make install` where bash-completion finds it; from the
# source tree, `source common/launcher/interleave.bash` (after `make`).

# The words a lesson's options take: --NAME= for each --NAME=VALUE in its
# help, --NAME for the others.
_interleave_options()
{
	local help=$1 w
	local -A valued=()
	local -a names=()
	for w in $(grep -o -- '--[a-z][a-z-]*=\?' <<<"$help"); do
		[[ $w == *= ]] && valued[${w%=}]=1
		names+=("${w%=}")
	done
	for w in $(printf '%s\n' "${names[@]}" | sort -u); do
		[[ ${valued[$w]} ]] && printf '%s=\n' "$w" || printf '%s\n' "$w"
	done
}

# The options the lesson's help says apply "only with --OPT=A, B or C"
# when the command line already sets --OPT to something else: a name a
# line.  The values set are read from the words before the cursor, as
# --OPT=V, --OPT = V (split at '=') or --OPT V.
_interleave_inapplicable()
{
	local help=$1 i w set=
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == --?*=?* ]]; then
			set+=" ${w#--}"
		elif [[ $w == --?* && ${COMP_WORDS[i+1]} == = ]] &&
			((i + 2 < COMP_CWORD)); then
			set+=" ${w#--}=${COMP_WORDS[i+2]}"
		elif [[ $w == --?* && ${COMP_WORDS[i+1]} != -* ]] &&
			((i + 1 < COMP_CWORD)); then
			set+=" ${w#--}=${COMP_WORDS[i+1]}"
		fi
	done
	[[ $set ]] || return 0
	awk -v set="$set" '
	function done_block(   w, opt, vals, n, v, j, ok) {
		if (name == "" || !match(block, /only with --[a-z-]+=[^;]*/))
			return
		w = substr(block, RSTART + 12, RLENGTH - 12)
		opt = w; sub(/=.*/, "", opt)
		vals = w; sub(/^[^=]*=/, "", vals); gsub(/,| or /, " ", vals)
		if (!(opt in have))
			return
		n = split(vals, v, " ")
		for (j = 1; j <= n; j++)
			ok = ok || v[j] == have[opt]
		if (!ok)
			print name
	}
	BEGIN {
		n = split(set, s, " ")
		for (i = 1; i <= n; i++) {
			k = s[i]; sub(/=.*/, "", k)
			v = s[i]; sub(/^[^=]*=/, "", v)
			have[k] = v
		}
	}
	/^  --[a-z]/ {
		done_block(); name = $1; sub(/=.*/, "", name); block = $0; next
	}
	/^   / { block = block " " $0; next }
	{ done_block(); name = "" }
	END { done_block() }' <<<"$help"
}

# Complete the word $1, or the value $3 of the option $2, for the lesson
# run by "${prog[@]}"; $4 goes before each value ("--variant=" when the
# word was not split at '=').  $5 set: "--opt VALUE", two words, where
# --opt may be one that takes no value, and then $1 is an option.
_interleave_lesson()
{
	local cur=$1 opt=$2 val=$3 pre=$4 spaced=$5 help list
	if [[ $opt == --record ]]; then
		# a file to write: the names bash offers for any file
		COMPREPLY=($(compgen -P "$pre" -f -- "$val"))
		return
	fi
	if [[ $opt == --variant ]]; then
		COMPREPLY=($(compgen -P "$pre" -W \
			"$("${prog[@]}" --list-variants 2>/dev/null |
			   cut -f1)" -- "$val"))
		return
	fi
	if [[ $opt == --challenge ]]; then
		# list, or a challenge's number, as the lesson lists them
		COMPREPLY=($(compgen -P "$pre" -W "list $("${prog[@]}" \
			--challenge=list 2>/dev/null |
			sed -n 's/^challenge \([0-9]*\):.*/\1/p')" -- "$val"))
		return
	fi
	help=$("${prog[@]}" --help 2>/dev/null) || return
	list=$(grep -o -- "$opt=[a-z0-9_.|-]*" <<<"$help" | head -n1)
	if [[ $opt && ($list || ! $spaced) ]]; then
		# --mode=step|free: the values are the words between the bars
		list=${list#*=}
		[[ $list == *'|'* ]] &&
			COMPREPLY=($(compgen -P "$pre" -W "${list//|/ }" -- "$val"))
		return
	fi
	[[ $cur == -* || -z $cur ]] || return
	local drop=" $(_interleave_inapplicable "$help" | tr '\n' ' ') " w
	local -a offer=()
	for w in $(_interleave_options "$help"); do
		[[ $drop == *" ${w%=} "* ]] || offer+=("$w")
	done
	COMPREPLY=($(compgen -W "${offer[*]}" -- "$cur"))
	[[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
	return 0
}

# Whether the word being completed is an option's value: "--variant=mu"
# as one word, or split at '=' (bash's default COMP_WORDBREAKS), or
# "--variant mu" (then spaced=1).  Sets opt, val, pre, spaced.
_interleave_value()
{
	local cur=$1 prev=$2 prev2=$3
	opt= val= pre= spaced=
	if [[ $cur == --*=* ]]; then
		opt=${cur%%=*} val=${cur#*=} pre="$opt="
	elif [[ $cur == = && $prev == --* ]]; then
		opt=$prev
	elif [[ $prev == = && $prev2 == --* ]]; then
		opt=$prev2 val=$cur
	elif [[ $prev == --?* && $prev != *=* ]]; then
		opt=$prev val=$cur spaced=1
	fi
}

_interleave()
{
	local cmd=${COMP_WORDS[0]/#\~/$HOME} cword=$COMP_CWORD
	local cur=${COMP_WORDS[cword]} opt val pre spaced first=0
	local -a prog=("$cmd")
	COMPREPLY=()
	if [[ ${cmd##*/} == interleave ]]; then
		if ((cword == 1)); then
			if [[ $cur == -* ]]; then
				COMPREPLY=($(compgen -W "$(_interleave_options \
					"$("$cmd" --help 2>/dev/null)")" -- "$cur"))
			else
				COMPREPLY=($(compgen -W "$("$cmd" --list \
					2>/dev/null | sed -n 's/^  \([^ ]*\) .*/\1/p')" \
					-- "$cur"))
			fi
			return
		fi
		[[ ${COMP_WORDS[1]} == -* ]] && return
		prog+=("${COMP_WORDS[1]}") # the launcher runs the lesson
		first=1
	fi
	((cword > first)) || return
	_interleave_value "$cur" "${COMP_WORDS[cword-1]}" \
		"${COMP_WORDS[cword-2]}"
	_interleave_lesson "$cur" "$opt" "$val" "$pre" "$spaced"
}

# Register for the launcher, every installed lesson on PATH, and, when
# sourced from the source tree, the lessons built beside it.
_interleave_register()
{
	local -a names=(interleave $(compgen -c interleave- | sort -u))
	local f dir=${BASH_SOURCE[0]%/*}/../../build/bin
	if [[ -x $dir/interleave ]]; then
		for f in "$dir"/*; do
			[[ -x $f ]] && names+=("${f##*/}")
		done
	fi
	complete -F _interleave "${names[@]}"
}
_interleave_register
unset -f _interleave_register
