# SPDX-License-Identifier: GPL-2.0-or-later
# sandbox.fish - fish completion for sandbox: commands, flags, their values, images, sandboxes
#
# Install it as share/fish/vendor_completions.d/sandbox.fish (`make install` does).
# Commands come from `sandbox help` at completion time; the flags of each command
# are listed here (all of shared/CLI.md) and one is offered only when
# `sandbox help CMD` mentions it, so what the installed binary does not know is
# not offered.

set -g __sandbox_global_argflags --root --runroot --log-level
set -g __sandbox_argflags_run --name -e --env --env-file -w --workdir -u --user --entrypoint --hostname -v --volume --tmpfs --network --net -p --publish --dns --userns --memory --pids-limit --cpus --cap-add --cap-drop --security-opt --platform --pull
set -g __sandbox_argflags_shell $__sandbox_argflags_run
set -g __sandbox_argflags_create $__sandbox_argflags_run
set -g __sandbox_argflags_exec -u --user -e --env -w --workdir
set -g __sandbox_argflags_ps --format
set -g __sandbox_argflags_stop -t --time
set -g __sandbox_argflags_kill -s --signal
set -g __sandbox_argflags_attach --detach-keys
set -g __sandbox_argflags_pull --creds --platform
set -g __sandbox_argflags_login -u --username
set -g __sandbox_argflags_images --format
set -g __sandbox_argflags_inspect --format
set -g __sandbox_argflags_doctor --format

# the binary being completed (as typed: ./sandbox works too)
function __sandbox_bin
    set -l tokens (commandline -opc)
    echo $tokens[1]
end

# the commands `sandbox help` lists (those of shared/CLI.md if it fails)
function __sandbox_commands
    set -l in 0
    set -l found
    set -l bin (__sandbox_bin)
    for line in (command $bin help 2>/dev/null)
        if test "$line" = "Commands:"
            set in 1
        else if test $in = 1
            string match -qr '^  [a-z]' -- $line; or break
            set -a found (string split -f1 ' ' -- (string trim -- $line))
        end
    end
    if test (count $found) -eq 0
        set found run shell create start exec ps stop kill rm logs attach pull login logout images rmi prune import inspect doctor version help
    end
    printf '%s\n' $found
end

# __sandbox_parse: sets __sandbox_cmd (the command, or empty) and
# __sandbox_nops (operands after it, before the current token)
function __sandbox_parse
    set -l tokens (commandline -opc)
    set -g __sandbox_cmd ''
    set -g __sandbox_nops 0
    set -l i 2
    while test $i -le (count $tokens)
        set -l w $tokens[$i]
        if test -z "$__sandbox_cmd"
            if contains -- $w $__sandbox_global_argflags
                set i (math $i + 1)
            else if not string match -q -- '-*' $w
                set -g __sandbox_cmd $w
            end
        else
            set -l var __sandbox_argflags_$__sandbox_cmd
            if test $__sandbox_nops -eq 0; and string match -q -- '-*' $w
                if set -q $var; and contains -- $w $$var
                    set i (math $i + 1)
                end
            else
                set -g __sandbox_nops (math $__sandbox_nops + 1)
            end
        end
        set i (math $i + 1)
    end
end

function __sandbox_needs_command
    __sandbox_parse
    test -z "$__sandbox_cmd"
end

# __sandbox_using CMD... : the command is one of CMD
function __sandbox_using
    __sandbox_parse
    contains -- "$__sandbox_cmd" $argv
end

# __sandbox_operand N CMD... : the command is one of CMD and N operands precede the cursor
function __sandbox_operand --argument-names n
    string match -q -- '-*' (commandline -ct); and return 1
    __sandbox_parse
    contains -- "$__sandbox_cmd" $argv[2..-1]; and test $__sandbox_nops -eq $n
end

# __sandbox_flag CMDS FLAG: the command is one of CMDS (comma-separated), no
# operand yet, and `sandbox help CMD` mentions FLAG (cached per command)
function __sandbox_flag --argument-names cmds flag
    __sandbox_parse
    contains -- "$__sandbox_cmd" (string split , -- $cmds); or return 1
    test $__sandbox_nops -eq 0; or return 1
    contains -- $flag -h --help; and return 0
    set -l var __sandbox_help_$__sandbox_cmd
    if not set -q $var
        set -l bin (__sandbox_bin)
        set -g $var (command $bin help $__sandbox_cmd 2>/dev/null | string collect)
    end
    test -z "$$var"; and return 0
    string match -qr -- "(^|[^a-zA-Z0-9-])$flag([^a-zA-Z0-9-]|\$)" $$var
end

# names and short ids of the sandboxes in the store
function __sandbox_sandboxes
    set -l root
    set -l tokens (commandline -opc)
    set -l i (contains -i -- --root $tokens)
    if test -n "$i"
        set root $tokens[(math $i + 1)]
    else if set -q SANDBOX_ROOT
        set root $SANDBOX_ROOT
    else if set -q XDG_DATA_HOME
        set root $XDG_DATA_HOME/sandbox
    else
        set root $HOME/.local/share/sandbox
    end
    for f in $root/names/* $root/sandboxes/*
        set -l b (basename $f)
        if string match -qr '^[0-9a-f]{64}$' -- $b
            string sub -l 12 -- $b
        else
            echo $b
        end
    end
end

complete -c sandbox -f

# global options and commands
complete -c sandbox -n __sandbox_needs_command -l root -x -a '(__fish_complete_directories (commandline -ct))' -d 'store directory'
complete -c sandbox -n __sandbox_needs_command -l runroot -x -a '(__fish_complete_directories (commandline -ct))' -d 'live state directory'
complete -c sandbox -n __sandbox_needs_command -l log-level -x -a 'error warn info debug' -d 'log level'
complete -c sandbox -n __sandbox_needs_command -l version -d 'print the version'
complete -c sandbox -n __sandbox_needs_command -s h -l help -d help
complete -c sandbox -n __sandbox_needs_command -a '(__sandbox_commands)'

# run, shell and create (which refuses --rm and -d)
set -l rs run,shell,create
complete -c sandbox -n "__sandbox_flag run,shell --rm" -l rm -d 'remove the sandbox when it exits'
complete -c sandbox -n "__sandbox_flag run,shell --detach" -s d -l detach -d 'run in the background'
complete -c sandbox -n "__sandbox_flag $rs --name" -l name -x -d 'name of the sandbox'
complete -c sandbox -n "__sandbox_flag $rs --interactive" -s i -l interactive -d 'keep stdin open'
complete -c sandbox -n "__sandbox_flag $rs --tty" -s t -l tty -d 'allocate a pseudo-terminal'
complete -c sandbox -n "__sandbox_flag $rs --env" -s e -l env -x -a '(set -xn | string replace -r \'$\' =)' -d 'environment variable K=V'
complete -c sandbox -n "__sandbox_flag $rs --env-file" -l env-file -r -F -d 'environment file'
complete -c sandbox -n "__sandbox_flag $rs --workdir" -s w -l workdir -x -d 'working directory inside'
complete -c sandbox -n "__sandbox_flag $rs --user" -s u -l user -x -d 'user inside'
complete -c sandbox -n "__sandbox_flag $rs --entrypoint" -l entrypoint -x -d 'entrypoint'
complete -c sandbox -n "__sandbox_flag $rs --init" -l init -f -a 'true false' -d 'PID 1 is sandbox init (--init=false)'
complete -c sandbox -n "__sandbox_flag $rs --hostname" -l hostname -x -d 'UTS hostname'
complete -c sandbox -n "__sandbox_flag $rs --volume" -s v -l volume -r -F -d 'bind mount HOST:PATH[:ro|rw]'
complete -c sandbox -n "__sandbox_flag $rs --tmpfs" -l tmpfs -x -d 'tmpfs mount PATH[:OPTIONS]'
complete -c sandbox -n "__sandbox_flag $rs --read-only" -l read-only -d 'no writable layer'
complete -c sandbox -n "__sandbox_flag $rs --network" -l network -x -a 'slirp none host' -d network
complete -c sandbox -n "__sandbox_flag $rs --publish" -s p -l publish -x -d 'publish a port'
complete -c sandbox -n "__sandbox_flag $rs --allow-host-loopback" -l allow-host-loopback -d 'reach the host loopback'
complete -c sandbox -n "__sandbox_flag $rs --dns" -l dns -x -d nameserver
complete -c sandbox -n "__sandbox_flag $rs --userns" -l userns -x -a 'auto keep-id single' -d 'user namespace mapping'
complete -c sandbox -n "__sandbox_flag $rs --memory" -l memory -x -d 'memory limit'
complete -c sandbox -n "__sandbox_flag $rs --pids-limit" -l pids-limit -x -d 'pids limit'
complete -c sandbox -n "__sandbox_flag $rs --cpus" -l cpus -x -d 'CPU limit'
complete -c sandbox -n "__sandbox_flag $rs --cap-add" -l cap-add -x -a 'ALL CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER CAP_KILL CAP_MKNOD CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_SETGID CAP_SETUID CAP_SYS_ADMIN CAP_SYS_CHROOT CAP_SYS_PTRACE' -d 'add a capability'
complete -c sandbox -n "__sandbox_flag $rs --cap-drop" -l cap-drop -x -a 'ALL CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER CAP_KILL CAP_MKNOD CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_SETGID CAP_SETUID CAP_SYS_ADMIN CAP_SYS_CHROOT CAP_SYS_PTRACE' -d 'drop a capability'
complete -c sandbox -n "__sandbox_flag $rs --security-opt" -l security-opt -x -a 'seccomp=unconfined no-new-privileges=false (__fish_complete_path (string replace -r "^seccomp=" "" -- (commandline -ct)) | string replace -r "^" "seccomp=")' -d 'security option'
complete -c sandbox -n "__sandbox_flag $rs --privileged" -l privileged -d 'all capabilities, no seccomp'
complete -c sandbox -n "__sandbox_flag $rs --platform" -l platform -x -a 'linux/amd64 linux/arm64 linux/arm/v7 linux/386 linux/ppc64le linux/s390x linux/riscv64' -d 'the image of this platform'
complete -c sandbox -n "__sandbox_flag $rs --pull" -l pull -x -a 'missing always newer never' -d 'when to pull the image'
complete -c sandbox -n "__sandbox_flag $rs --help" -s h -l help -d help
# IMAGE: host or a directory; then (run, create) the command and its arguments
complete -c sandbox -n '__sandbox_operand 0 run shell create' -a host -d 'the host\'s / read-only, private writable layer'
complete -c sandbox -n '__sandbox_operand 0 run shell create' -a '(__fish_complete_directories (commandline -ct) "root filesystem")'
complete -c sandbox -n '__sandbox_operand 1 run create' -a '(__fish_complete_command)'
complete -c sandbox -n '__sandbox_using run create; and test $__sandbox_nops -ge 2' -F

# doctor, version, help
complete -c sandbox -n '__sandbox_flag doctor --format' -l format -x -a 'text json' -d 'output format'
complete -c sandbox -n '__sandbox_flag doctor,version,help --help' -s h -l help -d help
complete -c sandbox -n '__sandbox_operand 0 help' -a '(__sandbox_commands)'

# the lifecycle commands of shared/CLI.md (offered once the binary has them)
complete -c sandbox -n '__sandbox_flag start --attach' -s a -l attach -d 'in the foreground: output and exit status'
complete -c sandbox -n '__sandbox_flag start --interactive' -s i -l interactive -d 'with -a: keep stdin open'
complete -c sandbox -n '__sandbox_flag exec --interactive' -s i -l interactive -d 'keep stdin open'
complete -c sandbox -n '__sandbox_flag exec --tty' -s t -l tty -d 'allocate a pseudo-terminal'
complete -c sandbox -n '__sandbox_flag exec --user' -s u -l user -x -d user
complete -c sandbox -n '__sandbox_flag exec --env' -s e -l env -x -d 'environment variable K=V'
complete -c sandbox -n '__sandbox_flag exec --workdir' -s w -l workdir -x -d 'working directory'
complete -c sandbox -n '__sandbox_flag ps --all' -s a -l all -d 'all sandboxes'
complete -c sandbox -n '__sandbox_flag ps,images,inspect --format' -l format -x -a json -d 'output format'
complete -c sandbox -n '__sandbox_flag stop --time' -s t -l time -x -d 'seconds before SIGKILL'
complete -c sandbox -n '__sandbox_flag kill --signal' -s s -l signal -x -a 'TERM KILL INT HUP QUIT USR1 USR2 STOP CONT' -d signal
complete -c sandbox -n '__sandbox_flag rm,rmi --force' -s f -l force -d force
complete -c sandbox -n '__sandbox_flag logs --follow' -s f -l follow -d follow
complete -c sandbox -n '__sandbox_flag attach --detach-keys' -l detach-keys -x -a 'ctrl-p,ctrl-q' -d 'keys that detach'
complete -c sandbox -n '__sandbox_flag pull --tls-verify' -l tls-verify -f -a 'true false' -d 'verify TLS'
complete -c sandbox -n '__sandbox_flag pull --creds' -l creds -x -d 'USER:PASSWORD'
complete -c sandbox -n '__sandbox_flag pull --platform' -l platform -x -a 'linux/amd64 linux/arm64 linux/arm/v7 linux/386 linux/ppc64le linux/s390x linux/riscv64' -d 'platform to pick from an index'
complete -c sandbox -n '__sandbox_flag pull --allow-foreign-layers' -l allow-foreign-layers -d 'fetch non-distributable layers from their URLs'
complete -c sandbox -n '__sandbox_flag pull --quiet' -s q -l quiet -d 'no progress'
complete -c sandbox -n '__sandbox_flag login --username' -s u -l username -x -d user
complete -c sandbox -n '__sandbox_flag login --password-stdin' -l password-stdin -d 'read the password from stdin'
complete -c sandbox -n '__sandbox_flag start,exec,ps,stop,kill,rm,logs,attach,pull,login,logout,images,rmi,prune,import,inspect --help' -s h -l help -d help
complete -c sandbox -n '__sandbox_operand 0 exec logs attach inspect' -a '(__sandbox_sandboxes)' -d sandbox
complete -c sandbox -n '__sandbox_using start stop kill rm' -a '(__sandbox_sandboxes)' -d sandbox
complete -c sandbox -n '__sandbox_operand 0 import' -F
