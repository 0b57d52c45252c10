# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# sandbox.bash - bash completion for sandbox: commands, flags, their values, images, sandboxes
#
# Source it (`. completions/sandbox.bash`) or install it as
# share/bash-completion/completions/sandbox (`make install` does).
#
# Commands come from `sandbox help` at completion time, so commands added to the
# binary appear without touching this file. The flags of each command are listed
# here (all of shared/CLI.md), and a flag is offered only when `sandbox help CMD`
# mentions it: what the installed binary does not know is not offered.

_sandbox_commands_static="run shell create start exec ps stop kill rm logs attach pull login logout images rmi prune import inspect doctor version help"
_sandbox_global_flags="--root --runroot --log-level --version -h --help"
_sandbox_global_argflags="--root --runroot --log-level"

_sandbox_flags_run="--rm -d --detach --name -i --interactive -t --tty -e --env --env-file -w --workdir -u --user --entrypoint --init --hostname -v --volume --tmpfs --read-only --network --net -p --publish --allow-host-loopback --dns --userns --memory --pids-limit --cpus --cap-add --cap-drop --security-opt --privileged --platform --pull -h --help"
_sandbox_flags_shell=$_sandbox_flags_run
# create takes run's flags but refuses --rm and -d (`sandbox start` starts it)
_sandbox_flags_create=${_sandbox_flags_run/--rm -d --detach /}
_sandbox_flags_start="-a --attach -i --interactive -h --help"
_sandbox_flags_exec="-i --interactive -t --tty -u --user -e --env -w --workdir -h --help"
_sandbox_flags_ps="-a --all --format -h --help"
_sandbox_flags_stop="-t --time -h --help"
_sandbox_flags_kill="-s --signal -h --help"
_sandbox_flags_rm="-f --force -h --help"
_sandbox_flags_logs="-f --follow -h --help"
_sandbox_flags_attach="--detach-keys -h --help"
_sandbox_flags_pull="--tls-verify --creds --platform --allow-foreign-layers -q --quiet -h --help"
_sandbox_flags_login="-u --username --password-stdin --tls-verify -h --help"
_sandbox_flags_logout="-h --help"
_sandbox_flags_images="--format -h --help"
_sandbox_flags_rmi="-f --force -h --help"
_sandbox_flags_prune="-h --help"
_sandbox_flags_import="-h --help"
_sandbox_flags_inspect="--format -h --help"
_sandbox_flags_doctor="--format -h --help"
_sandbox_flags_version="-h --help"
_sandbox_flags_help="-h --help"

# flags that take a value, per command
_sandbox_argflags_run="--name -e --env --env-file -w --workdir -u --user --entrypoint --hostname -v --volume --tmpfs --network --net -p --publish --dns --userns --memory --pids-limit --cpus --cap-add --cap-drop --security-opt --platform --pull"
_sandbox_argflags_shell=$_sandbox_argflags_run
_sandbox_argflags_create=$_sandbox_argflags_run
_sandbox_argflags_exec="-u --user -e --env -w --workdir"
_sandbox_argflags_ps="--format"
_sandbox_argflags_stop="-t --time"
_sandbox_argflags_kill="-s --signal"
_sandbox_argflags_attach="--detach-keys"
_sandbox_argflags_pull="--creds --platform"
_sandbox_argflags_login="-u --username"
_sandbox_argflags_images="--format"
_sandbox_argflags_inspect="--format"
_sandbox_argflags_doctor="--format"

_sandbox_caps="CAP_AUDIT_WRITE CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_IPC_LOCK CAP_KILL CAP_MKNOD CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_SETFCAP CAP_SETGID CAP_SETPCAP CAP_SETUID CAP_SYS_ADMIN CAP_SYS_CHROOT CAP_SYS_NICE CAP_SYS_PTRACE CAP_SYS_RESOURCE CAP_SYS_TIME ALL"

# _sandbox_in WORD LIST: whether WORD is one of the (blank-separated) words of LIST
_sandbox_in() {
	local x
	for x in $2; do
		[ "$x" = "$1" ] && return 0
	done
	return 1
}

# _sandbox_commands BIN: the commands `BIN help` lists (the static list if it fails)
_sandbox_commands() {
	local out
	out=$("$1" help 2>/dev/null | awk '/^Commands:/ { f = 1; next } f && /^  [a-z]/ { print $1; next } f { exit }')
	echo "${out:-$_sandbox_commands_static}"
}

# _sandbox_cmd_flags BIN CMD: the flags of CMD that `BIN help CMD` mentions
_sandbox_cmd_flags() {
	local var=_sandbox_flags_$2 help f out=()
	local all=${!var:-"-h --help"}
	if ! help=$("$1" help "$2" 2>/dev/null) || [ -z "$help" ]; then
		echo "$all"
		return
	fi
	for f in $all; do
		# every command takes -h/--help, whether its help text says so or not
		if [ "$f" = -h ] || [ "$f" = --help ] || [[ $help =~ (^|[^a-zA-Z0-9-])$f([^a-zA-Z0-9-]|$) ]]; then
			out+=("$f")
		fi
	done
	echo "${out[*]}"
}

# _sandbox_store_dir BIN-ARGS...: the store (--root, $SANDBOX_ROOT, XDG default)
_sandbox_store_dir() {
	local i
	for ((i = 0; i < ${#_sandbox_words[@]}; i++)); do
		case ${_sandbox_words[i]} in
		--root) echo "${_sandbox_words[i + 1]:-}"; return ;;
		--root=*) echo "${_sandbox_words[i]#--root=}"; return ;;
		esac
	done
	if [ -n "${SANDBOX_ROOT:-}" ]; then
		echo "$SANDBOX_ROOT"
	elif [ -n "${XDG_DATA_HOME:-}" ]; then
		echo "$XDG_DATA_HOME/sandbox"
	else
		echo "${HOME:-}/.local/share/sandbox"
	fi
}

# _sandbox_sandboxes: names and ids of the sandboxes in the store
_sandbox_sandboxes() {
	local root f
	root=$(_sandbox_store_dir)
	for f in "$root"/names/* "$root"/sandboxes/*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		f=${f##*/}
		case $f in
		[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]?*) echo "${f:0:12}" ;;
		*) echo "$f" ;;
		esac
	done
}

# _sandbox_join: COMP_WORDS with the pieces bash split at `=` and `:` joined
# again (`--network=host`, `-v /a:/b`), into _sandbox_words/_sandbox_cword.
_sandbox_join() {
	local i w
	_sandbox_words=()
	_sandbox_cword=0
	for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		if [ "$i" -gt 0 ] && [ "${#_sandbox_words[@]}" -gt 1 ] &&
			{ [ "$w" = "=" ] || [ "$w" = ":" ] || [[ ${_sandbox_words[-1]} == *[=:] && ${COMP_WORDS[i - 1]} =~ ^[=:]$ ]]; }; then
			_sandbox_words[-1]+=$w
		else
			_sandbox_words+=("$w")
		fi
		[ "$i" -eq "$COMP_CWORD" ] && _sandbox_cword=$((${#_sandbox_words[@]} - 1))
	done
	if [ "$COMP_CWORD" -ge "${#COMP_WORDS[@]}" ]; then
		_sandbox_words+=("")
		_sandbox_cword=$((${#_sandbox_words[@]} - 1))
	fi
}

# _sandbox_reply CUR WORDS...: COMPREPLY = the words that start with CUR
_sandbox_reply() {
	local cur=$1
	shift
	# shellcheck disable=SC2207 # words without blanks
	COMPREPLY+=($(compgen -W "$*" -- "$cur"))
}

# _sandbox_files CUR [-d]: files (or directories) that start with CUR
_sandbox_files() {
	local IFS=$'\n' f
	for f in $(compgen "${2:--f}" -- "$1"); do
		[ -d "$f" ] && f+=/
		COMPREPLY+=("$f")
	done
	compopt -o nospace 2>/dev/null || true
	compopt -o filenames 2>/dev/null || true
}

# _sandbox_value CMD FLAG CUR: complete the value of FLAG
_sandbox_value() {
	local cmd=$1 flag=$2 cur=$3
	case $flag in
	--root | --runroot) _sandbox_files "$cur" -d ;;
	--log-level) _sandbox_reply "$cur" error warn info debug ;;
	--network | --net) _sandbox_reply "$cur" slirp none host ;;
	--userns) _sandbox_reply "$cur" auto keep-id single ;;
	--security-opt)
		case $cur in
		seccomp=*)
			_sandbox_reply "$cur" seccomp=unconfined
			local f
			while IFS= read -r f; do
				[ -n "$f" ] && COMPREPLY+=("seccomp=$f")
			done < <(compgen -f -- "${cur#seccomp=}")
			;;
		*) _sandbox_reply "$cur" seccomp=unconfined seccomp= no-new-privileges=false no-new-privileges=true ;;
		esac
		compopt -o nospace 2>/dev/null || true
		;;
	--env-file) _sandbox_files "$cur" ;;
	-v | --volume) _sandbox_files "$cur" ;;
	--cap-add | --cap-drop) _sandbox_reply "$cur" "$_sandbox_caps" ;;
	--format)
		if [ "$cmd" = doctor ]; then
			_sandbox_reply "$cur" text json
		else
			_sandbox_reply "$cur" json
		fi
		;;
	--detach-keys) _sandbox_reply "$cur" ctrl-p,ctrl-q ;;
	-s | --signal) [ "$cmd" = kill ] && _sandbox_reply "$cur" TERM KILL INT HUP QUIT USR1 USR2 STOP CONT ;;
	-e | --env)
		# shellcheck disable=SC2207
		COMPREPLY=($(compgen -e -- "$cur"))
		;;
	esac
	return 0
}

# _sandbox: the completion function (`complete -F _sandbox sandbox`)
_sandbox() {
	local bin=${COMP_WORDS[0]:-sandbox} cur prev cmd='' cmdi=0 i w npos=0 flags_done=0
	local _sandbox_words _sandbox_cword
	COMPREPLY=()
	case $bin in
	*/*) [ -x "$bin" ] || bin=sandbox ;;
	*) command -v "$bin" >/dev/null 2>&1 || bin=sandbox ;;
	esac
	_sandbox_join
	cur=${_sandbox_words[_sandbox_cword]}
	prev=
	[ "$_sandbox_cword" -gt 0 ] && prev=${_sandbox_words[_sandbox_cword - 1]}

	# the command: the first word that is neither a global flag nor its value
	for ((i = 1; i < _sandbox_cword; i++)); do
		w=${_sandbox_words[i]}
		if _sandbox_in "$w" "$_sandbox_global_argflags"; then
			i=$((i + 1))
		elif [[ $w != -* ]]; then
			cmd=$w
			cmdi=$i
			break
		fi
	done

	if [ -z "$cmd" ]; then
		if _sandbox_in "$prev" "$_sandbox_global_argflags"; then
			_sandbox_value "" "$prev" "$cur"
		elif [[ $cur == --*=* ]]; then
			_sandbox_value "" "${cur%%=*}" "${cur#*=}"
			COMPREPLY=("${COMPREPLY[@]/#/${cur%%=*}=}")
		elif [[ $cur == -* ]]; then
			_sandbox_reply "$cur" "$_sandbox_global_flags"
		else
			_sandbox_reply "$cur" "$(_sandbox_commands "$bin")"
		fi
		_sandbox_trim "$cur"
		return 0
	fi

	local argvar=_sandbox_argflags_$cmd
	local argflags=${!argvar:-}
	# operands before the cursor (flags end at the first operand for run, shell and create, as getopt "+")
	for ((i = cmdi + 1; i < _sandbox_cword; i++)); do
		w=${_sandbox_words[i]}
		if [ "$flags_done" = 0 ] && [ "$w" = "--" ]; then
			flags_done=1
		elif [ "$flags_done" = 0 ] && [[ $w == -* ]]; then
			[[ $w != *=* ]] && _sandbox_in "$w" "$argflags" && i=$((i + 1))
		else
			npos=$((npos + 1))
			if [ "$cmd" = run ] || [ "$cmd" = shell ] || [ "$cmd" = create ] || [ "$cmd" = exec ]; then
				flags_done=1
			fi
		fi
	done

	if [ "$flags_done" = 0 ] && _sandbox_in "$prev" "$argflags"; then
		_sandbox_value "$cmd" "$prev" "$cur"
	elif [ "$flags_done" = 0 ] && [[ $cur == --*=* ]]; then
		case ${cur%%=*} in
		--init) _sandbox_reply "${cur#*=}" true false ;;
		*) _sandbox_value "$cmd" "${cur%%=*}" "${cur#*=}" ;;
		esac
		COMPREPLY=("${COMPREPLY[@]/#/${cur%%=*}=}")
	elif [ "$flags_done" = 0 ] && [[ $cur == -* ]]; then
		_sandbox_reply "$cur" "$(_sandbox_cmd_flags "$bin" "$cmd")"
	else
		case $cmd in
		run | shell | create)
			if [ "$npos" -eq 0 ]; then
				_sandbox_reply "$cur" host
				_sandbox_files "$cur" -d
			elif [ "$cmd" != shell ] && [ "$npos" -eq 1 ]; then
				# shellcheck disable=SC2207
				COMPREPLY=($(compgen -c -- "$cur" | sort -u))
			elif [ "$cmd" != shell ]; then
				_sandbox_files "$cur"
			fi
			;;
		help) [ "$npos" -eq 0 ] && _sandbox_reply "$cur" "$(_sandbox_commands "$bin")" ;;
		exec | logs | attach | inspect) [ "$npos" -eq 0 ] && _sandbox_reply "$cur" "$(_sandbox_sandboxes)" ;;
		start | stop | kill | rm) _sandbox_reply "$cur" "$(_sandbox_sandboxes)" ;;
		import) [ "$npos" -eq 0 ] && _sandbox_files "$cur" ;;
		esac
	fi
	_sandbox_trim "$cur"
	return 0
}

# _sandbox_trim CUR: readline replaces only the text after the last character
# of COMP_WORDBREAKS in the word (`=` and `:` by default), so the replies lose
# what comes before it (as bash-completion's __ltrim_colon_completions does)
_sandbox_trim() {
	local cur=$1 prefix='' i c
	for ((i = 0; i < ${#cur}; i++)); do
		c=${cur:i:1}
		if { [ "$c" = "=" ] || [ "$c" = ":" ]; } && [[ ${COMP_WORDBREAKS-"=:"} == *"$c"* ]]; then
			prefix=${cur:0:i+1}
		fi
	done
	[ -n "$prefix" ] || return 0
	for ((i = 0; i < ${#COMPREPLY[@]}; i++)); do
		COMPREPLY[i]=${COMPREPLY[i]#"$prefix"}
	done
}

complete -F _sandbox sandbox
