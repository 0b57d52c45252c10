#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# guest.sh - the VM suite's cases, run by tests/vm/init as root in the guest
#
# Every sandbox runs as uid 1000 (`tester`, busybox su) from a cgroup chosen per
# case (as_user CGROUP CMD): root only moves the shell there, as systemd would
# have put it. Prints TAP lines (`ok N - NAME`, `not ok N - NAME`, `# ...`).
# shellcheck disable=SC2016,SC2034 # conditions are single-quoted on purpose: check evals them
cg=/sys/fs/cgroup
U=$cg/user.slice/user-1000.slice/user@1000.service
SCOPE=$U/session.scope
NODELEG=$cg/user.slice/user-1000.slice/session-1.scope
NOCPU=$cg/user.slice/nocpu.service/deleg/shell.scope
RUN="sandbox run --rm --network none"
OUT=/tmp/out
ERR=/tmp/err
n=0

# as_user CGROUP CMD: run CMD (one string) as tester, from the cgroup CGROUP;
# stdout in $OUT, stderr in $ERR, status in $rc
as_user() {
	rc=0
	sh -c 'echo $$ >"$1/cgroup.procs" && exec su -s /bin/sh tester -c "$2"' as_user "$1" "$2" >$OUT 2>$ERR || rc=$?
}

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	shift
	for l in "$@"; do echo "#   $l"; done
	echo "#   status $rc; stdout: $(head -c 600 $OUT | tr '\n' '|')"
	echo "#   stderr: $(head -c 600 $ERR | tr '\n' '|')"
}
# check NAME CONDITION...: ok when the shell condition holds
check() {
	name=$1
	shift
	if eval "$*"; then ok "$name"; else not_ok "$name" "failed: $*"; fi
}

# no sandbox-<id> cgroup below $1 (the supervisors' leaf may stay, empty)
no_sandbox_cgroups() {
	for d in "$1"/sandbox-*; do
		[ -d "$d" ] || continue
		[ "${d##*/}" = sandbox-supervisor ] && [ "$(cat "$d/cgroup.procs")" = "" ] && continue
		echo "# left: $d" >&2
		return 1
	done
	return 0
}

# ---- the core rootless runs, on this kernel -------------------------------------
as_user $SCOPE "$RUN /image sh -c 'echo pid \$\$; cat /proc/self/uid_map; cut -d\" \" -f2,3 /proc/mounts; stat -c %u /bin/busybox; echo hello >/newfile; id -u'"
check "core: runs as root of a user namespace mapped to uid 1000" \
	'[ $rc = 0 ] && grep -Eq "^ *0 +1000 +1$" $OUT && [ "$(tail -n 1 $OUT)" = 0 ]'
check "core: the command is PID 2 under the built-in init" 'grep -qx "pid 2" $OUT'
check "core: the root is an overlay, files of uid 1000 belong to root inside" \
	'grep -qx "/ overlay" $OUT && grep -qx 0 $OUT'
check "core: writes go to the private layer, not the image" '[ ! -e /image/newfile ]'
as_user $SCOPE "$RUN --init=false /image sh -c 'echo \$\$'"
check "core: --init=false makes the command PID 1" '[ $rc = 0 ] && [ "$(cat $OUT)" = 1 ]'
as_user $SCOPE "$RUN /image sh -c 'exit 7'"
check "core: the exit status is passed on" '[ $rc = 7 ]'
as_user $SCOPE "$RUN /image cat /proc/self/cgroup"
check "no limits: no cgroup of its own" '[ $rc = 0 ] && no_sandbox_cgroups $U'

# ---- a rootfs directory owned by root (unmapped inside), issue 11 -----------------
as_user $SCOPE "$RUN --hostname rootowned /image-root sh -c 'cat /etc/hostname; grep -c rootowned /etc/hosts; echo x >>/etc/passwd || echo passwd-unwritable; echo t >/tmp/t && cat /tmp/t'"
check "a root-owned rootfs directory runs: generated /etc files, its files unwritable, /tmp writable" \
	'[ $rc = 0 ] && [ "$(cat $OUT | tr "\n" " ")" = "rootowned 1 passwd-unwritable t " ]'
as_user $SCOPE "$RUN --read-only --hostname ro --tmpfs /scratch /image-root sh -c 'cat /etc/hostname; grep -c \" /scratch \" /proc/mounts'"
check "--read-only root-owned rootfs directory with a --tmpfs target it lacks" \
	'[ $rc = 0 ] && [ "$(cat $OUT | tr "\n" " ")" = "ro 1 " ]'

# ---- limits from a delegated scope (the sandbox's cgroup is a sibling) ----------
as_user $SCOPE "$RUN --pids-limit 50 /image sh -c 'cat /proc/self/cgroup; cat /sys/fs/cgroup/pids.max'"
check "the sandbox sees its own cgroup as the root (0::/), pids.max inside" \
	'[ $rc = 0 ] && [ "$(head -n 1 $OUT)" = "0::/" ] && [ "$(tail -n 1 $OUT)" = 50 ]'
check "no cgroup left after --rm" 'no_sandbox_cgroups $U'
as_user $SCOPE "sandbox run --rm --network host --pids-limit 40 /image sh -c 'cat /proc/self/cgroup /sys/fs/cgroup/pids.max'"
check "--network host (/sys bound from the host): cgroup2 mounted over it, 0::/ inside" \
	'[ $rc = 0 ] && [ "$(cat $OUT | tr "\n" " ")" = "0::/ 40 " ]'
# nsdelegate: the namespace's root cgroup's limits cannot be changed from inside,
# even with a writable cgroup2 mount and every capability in the user namespace
as_user $SCOPE "$RUN --privileged --pids-limit 20 /image sh -c 'echo max >/sys/fs/cgroup/pids.max; cat /sys/fs/cgroup/pids.max'"
check "--privileged: the sandbox cannot raise its own pids.max" '[ "$(tail -n 1 $OUT)" = 20 ]'

# fork bomb: contained by pids.max; the host side can still fork meanwhile
rm -f /tmp/bomb.out
as_user $SCOPE "$RUN --pids-limit 20 /image sh -c '(b() { b | b & }; b) 2>/dev/null; sleep 4; cat /sys/fs/cgroup/pids.current /sys/fs/cgroup/pids.events' >/tmp/bomb.out 2>&1" &
bomb=$!
sleep 2
host_ok=1
pids=
i=0
while [ $i -lt 20 ]; do
	/bin/true &
	pids="$pids $!"
	i=$((i + 1))
done
for p in $pids; do wait "$p" || host_ok=0; done
wait $bomb
rc=$?
cp /tmp/bomb.out $OUT 2>/dev/null
cur=$(head -n 1 $OUT)
max_events=$(sed -n 's/^max //p' $OUT)
check "--pids-limit 20 contains a fork bomb (pids.current <= 20, pids.events max > 0)" \
	'[ -n "$cur" ] && [ "$cur" -le 20 ] && [ "${max_events:-0}" -gt 0 ]'
check "the host side can still fork during the fork bomb" '[ $host_ok = 1 ]'
check "no cgroup left after the fork bomb" 'no_sandbox_cgroups $U'

# memory: the OOM killer kills the allocation inside only
as_user $SCOPE "$RUN --memory 64m /image sbx-probe alloc 256"
check "--memory 64m: a 256 MB allocation is OOM-killed: exit 137" '[ $rc = 137 ] && ! grep -q allocated $OUT'
check "--memory 64m: the OOM kill is reported" \
	'grep -qx "sandbox: command killed by the OOM killer (memory.max=64M)" $ERR'
as_user $SCOPE "$RUN --memory 64m /image sbx-probe alloc 16"
check "--memory 64m: 16 MB fit" '[ $rc = 0 ] && grep -qx "allocated 16 MB" $OUT && [ ! -s $ERR ]'
check "no cgroup left after the OOM kill" 'no_sandbox_cgroups $U'

# cpu: 0.2 CPUs throttle a busy loop of 2 s
as_user $SCOPE "$RUN --cpus 0.2 /image sh -c 'timeout 2 sh -c \"while :; do :; done\"; cat /sys/fs/cgroup/cpu.max /sys/fs/cgroup/cpu.stat'"
thr=$(sed -n 's/^nr_throttled //p' $OUT)
usage=$(sed -n 's/^usage_usec //p' $OUT)
echo "# --cpus 0.2: cpu.max $(head -n 1 $OUT), nr_throttled ${thr:-?}, usage_usec ${usage:-?} in ~2 s"
check "--cpus 0.2 sets cpu.max 20000 100000 and throttles (nr_throttled > 0)" \
	'[ $rc = 0 ] && [ "$(head -n 1 $OUT)" = "20000 100000" ] && [ "${thr:-0}" -gt 0 ]'
check "--cpus 0.2: usage within bounds (< 1.2 s of CPU in ~2 s)" '[ -n "$usage" ] && [ "$usage" -lt 1200000 ]'

# without --rm: the cgroup goes too
as_user $SCOPE "sandbox run --network none --memory 32m --pids-limit 30 --cpus 1.5 /image true"
check "all three limits without --rm: runs, no cgroup left" '[ $rc = 0 ] && no_sandbox_cgroups $U'

# a supervisor killed with SIGKILL leaves a stale cgroup: in $stale (empty if none appeared)
make_stale() {
	as_user $SCOPE "sandbox run --rm --network none --pids-limit 20 /image sleep 60" &
	bg=$!
	pid1='' stale=''
	i=0
	while [ $i -lt 100 ] && [ -z "$pid1" ]; do
		for d in "$U"/sandbox-*; do
			[ "${d##*/}" = sandbox-supervisor ] && continue
			[ -f "$d/cgroup.procs" ] && pid1=$(head -n 1 "$d/cgroup.procs") && stale=$d
		done
		[ -n "$pid1" ] || sleep 0.1
		i=$((i + 1))
	done
	if [ -z "$pid1" ]; then
		stale=
		kill $bg 2>/dev/null
		return
	fi
	sup=$(awk '{ print $4 }' "/proc/$pid1/stat")
	kill -9 "$sup"
	wait $bg 2>/dev/null
	i=0
	while [ $i -lt 50 ] && [ -n "$(cat "$stale/cgroup.procs" 2>/dev/null)" ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
# ... the next run removes it; so does `sandbox prune`
for how in "the next run" "sandbox prune"; do
	make_stale
	if [ -n "$stale" ]; then
		check "SIGKILL of the supervisor: the sandbox dies, its cgroup stays (stale)" \
			'[ -d $stale ] && [ -z "$(cat $stale/cgroup.procs)" ]'
		if [ "$how" = "the next run" ]; then
			as_user $SCOPE "$RUN --pids-limit 20 /image true"
		else
			as_user $SCOPE "sandbox prune"
		fi
		check "$how removes the stale cgroup" '[ $rc = 0 ] && [ ! -d $stale ] && no_sandbox_cgroups $U'
	else
		rc=none
		not_ok "SIGKILL of the supervisor: the sandbox's cgroup did not appear"
	fi
done

# ---- a delegated scope of its own (systemd-run --user --scope -p Delegate=yes) ----
mkdir $U/solo.scope
chown 1000:1000 $U/solo.scope $U/solo.scope/cgroup.procs $U/solo.scope/cgroup.subtree_control $U/solo.scope/cgroup.threads
as_user $U/solo.scope "exec $RUN --pids-limit 30 --memory 48m /image sh -c 'cat /proc/self/cgroup /sys/fs/cgroup/pids.max /sys/fs/cgroup/memory.max'"
check "alone in a delegated scope: the supervisor moves into a leaf, limits apply" \
	'[ $rc = 0 ] && [ "$(cat $OUT | tr "\n" " ")" = "0::/ 30 50331648 " ] && [ -d $U/solo.scope/sandbox-supervisor ]'
check "alone in a delegated scope: no cgroup left" 'no_sandbox_cgroups $U/solo.scope'

# ---- not enforceable: exit 125 with the reason ------------------------------------
as_user $NODELEG "$RUN --pids-limit 20 /image true"
check "limits without delegation: exit 125" '[ $rc = 125 ]'
check "limits without delegation: the message says why and how to fix it" \
	'grep -q "is not delegated to you" $ERR && grep -q "Delegate=yes" $ERR'
as_user $NODELEG "$RUN /image true"
check "no limits without delegation: runs" '[ $rc = 0 ]'
as_user $NOCPU "$RUN --cpus 0.5 /image true"
check "--cpus where cpu is not delegated: exit 125 naming the cpu controller" \
	'[ $rc = 125 ] && grep -q "the cpu controller is not delegated" $ERR'
as_user $NOCPU "$RUN --memory 32m /image true"
check "--memory where memory is delegated (cpu is not): runs" '[ $rc = 0 ] && no_sandbox_cgroups $cg/user.slice/nocpu.service/deleg'

# ---- exec joins the sandbox's cgroup (issue 6) ------------------------------------
as_user $SCOPE "id=\$(sandbox run -d --network none --pids-limit 25 /image sleep 60) && sandbox exec \$id sh -c 'cat /proc/self/cgroup /sys/fs/cgroup/pids.max'; r=\$?; sandbox rm -f \$id >/dev/null; exit \$r"
check "exec into a detached sandbox with limits: in its cgroup (0::/, pids.max 25)" \
	'[ $rc = 0 ] && [ "$(cat $OUT | tr "\n" " ")" = "0::/ 25 " ]'
check "no cgroup left after exec and rm -f" 'no_sandbox_cgroups $U'

# ---- ps shows memory and pids of a sandbox with limits (issue 5) -------------------
as_user $SCOPE "id=\$(sandbox run -d --network none --memory 64m --pids-limit 25 /image sleep 60) && sandbox ps && sandbox ps --format json && sandbox inspect \$id; r=\$?; sandbox rm -f \$id >/dev/null; exit \$r"
check "ps of a sandbox with limits shows MEM and PIDS (table and json); inspect its limits" \
	'[ $rc = 0 ] && grep -q "MEM  *PIDS" $OUT && grep -q "\"pids_current\": [1-9]" $OUT && grep -q "\"memory_current\": [1-9]" $OUT && grep -q "\"pids_limit\": 25" $OUT && grep -q "\"memory\": 67108864" $OUT'
check "no cgroup left after ps and rm -f" 'no_sandbox_cgroups $U'

check "no lock file left in the runroot" '[ -z "$(ls -A /tmp/sandbox-1000 | grep "^.cgroup-")" ]'

echo "1..$n"
