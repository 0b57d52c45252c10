#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 10-completions.sh - shell completions (bash, zsh, fish) and the man page
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sbx.sh"

COMP_DIR=$SBX_SRC_DIR/completions
MAN_PAGE=$SBX_SRC_DIR/sandbox.1

require_file() {
	[ -f "$1" ] || t_fail "$1 does not exist"
}

# help_commands: the commands `sandbox help` lists
help_commands() {
	"$SANDBOX" help | awk '/^Commands:/ { f = 1; next } f && /^  [a-z]/ { print $1; next } f { exit }'
}

# help_long_flags CMD: the --flags `sandbox help CMD` mentions
help_long_flags() {
	"$SANDBOX" help "$1" | grep -oE '(^|[ ,])--[a-z][a-z-]*' | sed 's/^[ ,]*//' | LC_ALL=C sort -u
}

# help_option_flags CMD: the --flags of the Options: part of `sandbox help CMD`
# (not those its prose mentions, as start's "without --rm")
help_option_flags() {
	"$SANDBOX" help "$1" | sed -n '/^Options:/,$p' | grep -oE '(^|[ ,])--[a-z][a-z-]*' | sed 's/^[ ,]*//' | LC_ALL=C sort -u
}

# bash_complete WORD...: COMPREPLY (one a line, sorted) for the command line
# WORD... with the cursor in the last word; $SANDBOX is the command
bash_complete() {
	# shellcheck disable=SC2034 # COMP_* are read by _sandbox
	(
		# shellcheck source=completions/sandbox.bash
		. "$COMP_DIR/sandbox.bash"
		COMP_WORDS=("$SANDBOX" "$@")
		COMP_CWORD=$#
		COMP_LINE="${COMP_WORDS[*]}"
		COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		_sandbox "$SANDBOX" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | LC_ALL=C sort
	)
}

# assert_completes EXPECTED WORD...: the sorted replies are EXPECTED (blank-separated)
assert_completes() {
	local expected=$1 got
	shift
	got=$(bash_complete "$@" | tr '\n' ' ' | sed 's/ $//')
	assert_eq "$expected" "$got" "completion of \`sandbox $*\`"
}

# assert_completes_has WORD-EXPECTED WORD...: the replies include WORD-EXPECTED
assert_completes_has() {
	local expected=$1 got
	shift
	got=$(bash_complete "$@")
	grep -qxF -- "$expected" <<<"$got" || t_fail "\`sandbox $*\` does not offer $expected (got: $(echo "$got" | tr '\n' ' '))"
}

test_bash_defines_the_function() {
	require_file "$COMP_DIR/sandbox.bash"
	run_cmd bash -c ". '$COMP_DIR/sandbox.bash' && declare -F _sandbox && complete -p sandbox"
	assert_eq 0 "$T_STATUS" "sourcing sandbox.bash"
	assert_file_has_content "$T_OUT" '^_sandbox$'
	assert_file_has_content "$T_OUT" '^complete -F _sandbox sandbox$'
	assert_file_empty "$T_ERR"
	if command -v shellcheck >/dev/null; then
		assert_status 0 shellcheck -s bash "$COMP_DIR/sandbox.bash"
	fi
}

# The commands are those `sandbox help` lists, whatever they are.
test_bash_commands() {
	assert_completes "$(help_commands | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')" ""
	assert_completes "doctor" "do"
	assert_completes "$(help_commands | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')" help ""
	assert_completes "--help --log-level --root --runroot --version" --
	assert_completes "debug error info warn" --log-level ""
	assert_completes "doctor" --root /tmp --log-level debug "do"
}

# Every --flag of the options of `sandbox help run`/`shell`/`create`/`start`/`pull`/`attach`
# is offered, and nothing else but -h/--help aliases; create refuses --rm and
# -d, which its help text still lists (its options are run's).
test_bash_run_flags() {
	local cmd want got
	for cmd in run shell create start pull attach; do
		want=$( (help_option_flags "$cmd"; echo --help) | LC_ALL=C sort -u)
		[ "$cmd" = create ] && want=$(grep -vxE -- '--rm|--detach' <<<"$want")
		want=$(tr '\n' ' ' <<<"$want")
		got=$(bash_complete "$cmd" -- | tr '\n' ' ')
		assert_eq "$want" "$got" "long flags of $cmd"
	done
	assert_completes_has -v create -
	assert_completes "--user --userns" create --name x --us
	assert_completes "--detach-keys" attach --d
	assert_eq "" "$(bash_complete create --rm)" "create --rm"
	assert_eq "" "$(bash_complete create -d)" "create -d"
	assert_completes "--attach --help --interactive -a -h -i" start -
	assert_completes "--attach" start --at
	assert_completes_has -i run -
	assert_completes_has -v run -
	assert_completes_has --rm shell --r
	assert_completes "--user --userns" run --rm --us
	assert_completes "--userns" run --rm --usern
}

test_bash_values() {
	assert_completes "host none slirp" run --network ""
	assert_completes "host" run --network h
	assert_completes "host" run --network=h
	assert_completes "host" run --network = h
	assert_completes "auto keep-id single" run --userns ""
	assert_completes "keep-id" shell --userns k
	assert_completes "false true" run --init=
	assert_completes "no-new-privileges=false no-new-privileges=true seccomp= seccomp=unconfined" run --security-opt ""
	assert_completes "json text" doctor --format ""
	assert_completes "--format --help" doctor --
	assert_completes "--help -h" version -
	# files: --env-file, -v, seccomp profiles
	mkdir -p dir1 && : >envfile && : >profile.json
	assert_completes "envfile" run --env-file env
	assert_completes "dir1/" run -v di
	assert_completes "profile.json" run --security-opt seccomp=prof
	assert_completes_has CAP_NET_ADMIN run --cap-add CAP_NET
}

# IMAGE is `host` or a directory; then run completes a command, then files.
test_bash_image_and_command() {
	mkdir -p rootfs-a rootfs-b && : >rootfs-file
	assert_completes "rootfs-a/ rootfs-b/" run rootfs
	assert_completes "host" run ho
	assert_completes "host" shell --rm ho
	assert_completes "rootfs-a/ rootfs-b/" run --name x -v /a:/b rootfs
	assert_completes_has echo run host ech
	assert_completes "rootfs-a/ rootfs-b/" create --name x rootfs
	assert_completes "host" create ho
	assert_completes_has echo create host ech
	assert_completes "rootfs-file" create host sh rootfs-f
	assert_completes "rootfs-file" run host sh rootfs-f
	# flags after IMAGE belong to the command: nothing of sandbox's
	assert_eq "" "$(bash_complete run host --us)" "flags after IMAGE"
	# shell takes no command
	assert_eq "" "$(bash_complete shell host ech)" "shell after IMAGE"
}

test_zsh() {
	require_file "$COMP_DIR/_sandbox"
	require_cmd zsh
	assert_status 0 zsh -n "$COMP_DIR/_sandbox"
	assert_file_has_content "$COMP_DIR/_sandbox" '^#compdef sandbox$'
	# it loads through compinit and defines the completion for sandbox
	mkdir -p zfunc && cp "$COMP_DIR/_sandbox" zfunc/
	run_cmd env -i HOME="$T_TMP" PATH="$PATH" zsh -f -c \
		"fpath=('$T_TMP/zfunc' \$fpath); autoload -Uz compinit && compinit -u -d '$T_TMP/zcompdump' && print -r -- \$_comps[sandbox]"
	assert_eq 0 "$T_STATUS" "compinit"
	assert_eq "_sandbox" "$(cat "$T_OUT")" "zsh completion for sandbox"
}

# fish: a syntax check, then completions through fish's own machinery (complete -C).
test_fish() {
	local out
	require_file "$COMP_DIR/sandbox.fish"
	require_cmd fish
	assert_status 0 fish -n "$COMP_DIR/sandbox.fish"
	mkdir -p rootfs-a
	fish_complete() {
		env -i HOME="$T_TMP" PATH="$(dirname "$SANDBOX"):$PATH" fish --no-config -c \
			"source '$COMP_DIR/sandbox.fish'; complete -C '$1'" 2>&1 | cut -f1 | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
	}
	# complete by the binary's name: `sandbox` is the command the file completes
	mkdir -p bin && ln -sf "$SANDBOX" bin/sandbox
	PATH=$T_TMP/bin:$PATH
	assert_eq "$(help_commands | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')" "$(fish_complete 'sandbox ')" "fish: commands"
	assert_eq "host none slirp" "$(fish_complete 'sandbox run --network ')" "fish: --network"
	assert_eq "auto keep-id single" "$(fish_complete 'sandbox run --userns ')" "fish: --userns"
	assert_eq "json text" "$(fish_complete 'sandbox doctor --format ')" "fish: doctor --format"
	out=$(fish_complete 'sandbox run --')
	for f in $(help_long_flags run); do
		[[ " $out " == *" $f "* ]] || t_fail "fish: run $f is not offered (got: $out)"
	done
	out=$(fish_complete 'sandbox run ')
	[[ " $out " == *" host "* && " $out " == *" rootfs-a/ "* ]] || t_fail "fish: IMAGE (got: $out)"
	out=$(fish_complete 'sandbox create ')
	[[ " $out " == *" host "* && " $out " == *" rootfs-a/ "* ]] || t_fail "fish: create IMAGE (got: $out)"
	assert_eq "--attach --help --interactive" "$(fish_complete 'sandbox start --')" "fish: start flags"
}

# The man page renders without warnings and documents every command and run flag.
test_man_page() {
	local c f
	require_file "$MAN_PAGE"
	require_cmd groff
	assert_status 0 groff -man -Tutf8 -ww "$MAN_PAGE"
	assert_file_empty "$T_ERR"
	if command -v mandoc >/dev/null; then
		assert_status 0 mandoc -Tlint -Wwarning "$MAN_PAGE"
		assert_file_empty "$T_OUT"
	fi
	groff -man -Tutf8 -P-cbou "$MAN_PAGE" 2>/dev/null | sed 's/‐/-/g' >man.txt
	for c in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "EXIT STATUS" FILES ENVIRONMENT EXAMPLES "SEE ALSO"; do
		grep -q "^[A-Z ]*$c\$" man.txt || t_fail "man page: no $c section"
	done
	for c in $(help_commands); do
		grep -qE "^ {7}$c( |\$)" man.txt || t_fail "man page: command $c is not documented"
	done
	for f in $(help_long_flags run); do
		grep -qE -- "(^|[ ,])$f([ =[,]|\$)" man.txt || t_fail "man page: $f is not documented"
	done
}

t "bash: sourcing defines _sandbox and completes sandbox" test_bash_defines_the_function
t "bash: commands from \`sandbox help\`, global options" test_bash_commands
t "bash: every flag of run, shell, create, start, pull and attach" test_bash_run_flags
t "bash: values of --network, --userns, --security-opt, files" test_bash_values
t "bash: IMAGE (host or a directory), then the command" test_bash_image_and_command
t "zsh: syntax and compinit" test_zsh
t "fish: syntax and complete -C" test_fish
t "man page: renders cleanly, documents commands and flags" test_man_page
t_main "$@"
