#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 13-network.sh - --network slirp (libslirp helper), -p forwards, DNS, IPv6, --network none
#
# Traffic only goes to servers these tests start on the host's loopback, or
# inside namespaces they made. The DNS test points libslirp's forwarder at its
# own resolver through a private mount namespace (unshare -Urnm) whose
# /etc/resolv.conf names 127.0.0.1, where a tiny python DNS server answers:
# the helper reads that file before it isolates itself.
# shellcheck disable=SC2016 # commands for inside the sandbox are single-quoted on purpose
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sbx.sh"

NETSRV=$SBX_TESTS_DIR/helpers/netsrv.py

# net_run OPTIONS... IMAGE CMD...: `sandbox run --rm --network slirp ...`
net_run() {
	"$SANDBOX" run --rm --network slirp "${SBX_RUN_DEFAULTS[@]}" "$@"
}

require_net() {
	require_cmd python3
	if ! [ -r /dev/net/tun ] || ! [ -w /dev/net/tun ]; then
		t_skip "/dev/net/tun is not accessible"
	fi
}

free_port() {
	python3 "$NETSRV" freeport
}

# start_server KIND ADDR PORT: a netsrv.py server in the background, killed at the end
start_server() {
	local ready=$T_TMP/ready.$1.$3
	python3 "$NETSRV" "$1" "$2" "$3" "$ready" >/dev/null 2>&1 &
	t_defer kill "$!"
	wait_for_file "$ready" ready
}

# has_ipv6_lo: the host's lo has ::1 (`ip -6 addr show lo`, else ::1 binds)
has_ipv6_lo() {
	if command -v ip >/dev/null; then
		ip -6 addr show lo 2>/dev/null | grep -q 'inet6 ::1/'
	else
		python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null
	fi
}

require_ipv6_lo() {
	has_ipv6_lo || t_skip "the host has no IPv6 loopback (no ::1 on lo)"
}

test_none_only_lo() {
	assert_status 0 sbx_run "$ROOTFS" sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
	assert_eq "lo" "$(cat "$T_OUT")" "interfaces with --network none"
}

# serve_page TEXT URL RUN-OPTIONS...: a sandbox in the background ($box) whose busybox
# httpd serves TEXT as its index page; waits until URL (from the host) answers with it
serve_page() {
	local text=$1 url=$2
	shift 2
	"$SANDBOX" run --rm "${SBX_RUN_DEFAULTS[@]}" "$@" "$ROOTFS" sh -c \
		"mkdir /www && echo $text >/www/index.html && httpd -f -p 80 -h /www" \
		>"$T_TMP/box.out" 2>"$T_TMP/box.err" &
	box=$!
	t_defer kill "$box"
	for _ in $(seq 1 100); do
		curl -s -g --max-time 2 "$url" >"$T_OUT" 2>/dev/null && break
		sleep 0.1
	done
	assert_eq "$text" "$(cat "$T_OUT")" "curl of $url"
}

# The default network is slirp: `run -p 8080:80 IMAGE httpd` without --network,
# reachable on the host's IPv4 and IPv6 addresses.
test_default_is_slirp() {
	require_net
	require_cmd curl
	local port
	port=$(free_port)
	serve_page default-net "http://127.0.0.1:$port/" -p "$port:80"
	# without HOSTIP the forward listens on IPv6 too (where the host has it)
	if python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
		run_cmd curl -sS -g --max-time 5 "http://[::1]:$port/"
		assert_eq "default-net" "$(cat "$T_OUT")" "curl of [::1]:$port (status $T_STATUS: $(cat "$T_ERR"))"
	fi
	kill -TERM "$box"
	wait "$box" || true
	assert_nothing_left
}

test_slirp_interfaces() {
	require_net
	assert_status 0 net_run "$ROOTFS" sh -c 'ip -4 addr show eth0; ip -6 addr show eth0; ip route; ip -6 route; cat /sys/class/net/eth0/mtu /etc/resolv.conf /proc/sys/net/ipv4/ping_group_range; ip link show lo'
	assert_file_has_content "$T_OUT" 'inet 10\.0\.2\.100/24'
	assert_file_has_content "$T_OUT" 'inet6 fd00::100/64'
	assert_file_has_content "$T_OUT" '^default via 10\.0\.2\.2 dev eth0'
	assert_file_has_content "$T_OUT" '^default via fd00::2 dev eth0'
	assert_file_has_content "$T_OUT" '^65520$'
	assert_file_has_content "$T_OUT" '^nameserver 10\.0\.2\.3$'
	assert_file_has_content "$T_OUT" '^0[[:space:]]+[1-9][0-9]*$'
	assert_file_has_content "$T_OUT" 'lo: <LOOPBACK,UP'
	assert_status 0 net_run --dns 192.0.2.1 "$ROOTFS" cat /etc/resolv.conf
	assert_eq "nameserver 192.0.2.1" "$(cat "$T_OUT")" "resolv.conf with --dns"
	assert_status 0 "$SANDBOX" run --rm --network slirp:mtu=1500 "${SBX_RUN_DEFAULTS[@]}" "$ROOTFS" cat /sys/class/net/eth0/mtu
	assert_eq "1500" "$(cat "$T_OUT")" "MTU with slirp:mtu=1500"
	assert_nothing_left
}

test_outbound_tcp_host_loopback() {
	require_net
	local port
	port=$(free_port)
	start_server tcpecho 127.0.0.1 "$port"
	assert_status 0 net_run --allow-host-loopback "$ROOTFS" sh -c "echo hi | nc -w 5 10.0.2.2 $port"
	assert_eq "echo:hi" "$(cat "$T_OUT")" "TCP to the host's 127.0.0.1 through 10.0.2.2"
	run_cmd net_run "$ROOTFS" sh -c "echo hi | nc -w 3 10.0.2.2 $port"
	assert_ne 0 "$T_STATUS" "TCP to 10.0.2.2 without --allow-host-loopback"
	assert_not_file_has_content "$T_OUT" 'echo:'
	assert_nothing_left
}

test_outbound_udp_host_loopback() {
	require_net
	local port
	port=$(free_port)
	start_server dns 127.0.0.1 "$port"
	assert_status 0 net_run --allow-host-loopback "$ROOTFS" nslookup foo.test "10.0.2.2:$port"
	assert_file_has_content "$T_OUT" '192\.0\.2\.42'
	run_cmd net_run "$ROOTFS" timeout 5 nslookup foo.test "10.0.2.2:$port"
	assert_not_file_has_content "$T_OUT" '192\.0\.2\.42'
	assert_nothing_left
}

test_ipv6() {
	require_net
	local port
	python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null ||
		t_skip "the host has no IPv6 loopback"
	port=$(free_port)
	start_server tcpecho ::1 "$port"
	assert_status 0 net_run --allow-host-loopback "$ROOTFS" sh -c "echo hi6 | nc -w 5 fd00::2 $port"
	assert_eq "echo:hi6" "$(cat "$T_OUT")" "TCP over IPv6 to the host's ::1 through fd00::2"
	assert_nothing_left
}

# ping sockets (no CAP_NET_RAW): net.ipv4.ping_group_range of the sandbox's
# namespace covers its groups; libslirp answers echo requests to fd00::2 and
# 10.0.2.2. python3 of the host image pings (busybox ping wants a raw socket).
test_ping_sockets() {
	require_net
	local users=(0)
	[ -n "$(no_subuid_reason)" ] || users+=(1000)
	for u in "${users[@]}"; do
		assert_status 0 net_run -u "$u:$u" -v "$SBX_TESTS_DIR/helpers:/run/nethelpers:ro" host sh -c \
			'python3 /run/nethelpers/netsrv.py ping fd00::2 && python3 /run/nethelpers/netsrv.py ping 10.0.2.2'
		assert_eq "reply
reply" "$(cat "$T_OUT")" "echo replies as uid $u"
	done
	assert_nothing_left
}

test_publish_tcp() {
	require_net
	require_cmd curl
	local port
	port=$(free_port)
	serve_page hello-from-inside "http://127.0.0.1:$port/" --network slirp -p "127.0.0.1:$port:80"
	# TCP forwards splice (portfwd.c) rather than going through libslirp
	pgrep -u "$(id -u)" -x sandbox-netfwd >/dev/null || t_fail "no socket factory (sandbox-netfwd) for the TCP forward"
	kill -TERM "$box"
	wait "$box" || true
	assert_nothing_left
}

# An [IPv6] HOSTIP: the helper listens IPv6-only on it and splices to
# 10.0.2.100:PORT over IPv4 as for any TCP forward; [::1] is not 127.0.0.1,
# and [::] is every IPv6 address but no IPv4 one.
test_publish_tcp_ipv6() {
	require_net
	require_cmd curl
	require_ipv6_lo
	local port p2
	port=$(free_port)
	p2=$(free_port)
	serve_page hello-over-ipv6 "http://[::1]:$port/" --network slirp -p "[::1]:$port:80" -p "[::]:$p2:80"
	run_cmd curl -sS -g --max-time 5 "http://[::1]:$p2/"
	assert_eq "hello-over-ipv6" "$(cat "$T_OUT")" "curl of [::1]:$p2 through -p [::]:$p2:80 (status $T_STATUS: $(cat "$T_ERR"))"
	pgrep -u "$(id -u)" -x sandbox-netfwd >/dev/null || t_fail "no socket factory (sandbox-netfwd) for the IPv6 TCP forward"
	run_cmd curl -s --max-time 5 "http://127.0.0.1:$port/"
	assert_ne 0 "$T_STATUS" "curl of 127.0.0.1:$port with -p [::1]:$port:80"
	run_cmd curl -s --max-time 5 "http://127.0.0.1:$p2/"
	assert_ne 0 "$T_STATUS" "curl of 127.0.0.1:$p2 with -p [::]:$p2:80"
	kill -TERM "$box"
	wait "$box" || true
	assert_nothing_left
}

# The server inside is python3 of the host image (busybox has no UDP server).
# TCP forwards splice into the sandbox (portfwd.c): a large body arrives
# whole; a port nobody listens on inside closes the client's connection and
# the forward keeps working.
test_publish_tcp_bulk_and_refused() {
	require_net
	require_cmd curl
	local port p2
	port=$(free_port)
	p2=$(free_port)
	"$SANDBOX" run --rm --network slirp "${SBX_RUN_DEFAULTS[@]}" -p "127.0.0.1:$port:80" -p "127.0.0.1:$p2:81" \
		"$ROOTFS" sh -c 'mkdir /www && head -c 30000000 /dev/zero | tr "\0" x >/www/big && httpd -f -p 80 -h /www' \
		>"$T_TMP/box.out" 2>"$T_TMP/box.err" &
	local box=$!
	t_defer kill "$box"
	for _ in $(seq 1 100); do
		curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$port/big" && break
		sleep 0.1
	done
	run_cmd curl -s --max-time 20 "http://127.0.0.1:$port/big"
	assert_eq 0 "$T_STATUS" "curl of 30 MB"
	assert_eq "30000000 $(head -c 30000000 /dev/zero | tr '\0' x | md5sum | cut -d' ' -f1)" \
		"$(wc -c <"$T_OUT") $(md5sum <"$T_OUT" | cut -d' ' -f1)" "size and md5 of the body"
	run_cmd curl -s --max-time 5 "http://127.0.0.1:$p2/"
	assert_ne 0 "$T_STATUS" "curl of a port without a server inside"
	run_cmd curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/big"
	assert_eq "200" "$(cat "$T_OUT")" "the forward after a refused one"
	kill -TERM "$box"
	wait "$box" || true
	assert_nothing_left
}

# publish_udp_case LOOPBACK VHOST: a DNS server inside behind -p LOOPBACK:PORT:5353/udp,
# no other flag. The helper relays the datagrams through a socket inside the
# sandbox (portfwd.c), so the server sees them come from the sandbox's own
# address and its replies never leave the sandbox's namespace. Once the client
# had its answer, the sandbox tries the host's loopback through VHOST itself
# (a UDP and a TCP server there): nothing.
publish_udp_case() {
	local lo=$1 vhost=$2 port p2 p3 hostport
	port=$(free_port)
	p2=$(free_port)
	p3=$(free_port)
	start_server dns "$lo" "$p2"
	start_server tcpecho "$lo" "$p3"
	hostport=$port
	case $lo in *:*) hostport="[$lo]:$port" ;; esac
	cat >"$T_TMP/inside.sh" <<-'EOS'
		# inside.sh LISTEN VHOST UDP-PORT TCP-PORT
		python3 /run/nethelpers/netsrv.py dns "$1" 5353 /run/t/udp.ready &
		i=0
		while ! [ -e /run/t/queried ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
		timeout 4 python3 /run/nethelpers/netsrv.py dnsquery "$2" "$3" foo.test >/run/t/gate.udp 2>&1
		echo "udp $?" >>/run/t/gate.out
		python3 -c 'import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 3)' "$2" "$4" 2>/dev/null
		echo "tcp $?" >>/run/t/gate.out
	EOS
	local listen=0.0.0.0
	case $lo in *:*) listen=:: ;; esac
	"$SANDBOX" run --rm --network slirp "${SBX_RUN_DEFAULTS[@]}" -p "$hostport:5353/udp" \
		-v "$SBX_TESTS_DIR/helpers:/run/nethelpers:ro" -v "$T_TMP:/run/t" host \
		sh /run/t/inside.sh "$listen" "$vhost" "$p2" "$p3" >"$T_TMP/box.out" 2>"$T_TMP/box.err" &
	local box=$!
	t_defer kill "$box"
	wait_for_file "$T_TMP/udp.ready" ready 15
	for _ in 1 2; do
		python3 "$NETSRV" dnsquery "$lo" "$port" bar.test >"$T_OUT" 2>/dev/null && break
		sleep 0.2
	done
	assert_eq "192.0.2.42" "$(cat "$T_OUT")" "DNS over UDP through -p $hostport:5353/udp"
	: >"$T_TMP/queried"
	wait_for_file "$T_TMP/gate.out" '^tcp ' 30
	assert_file_has_content "$T_TMP/gate.out" '^udp [1-9]'
	assert_not_file_has_content "$T_TMP/gate.udp" '192\.0\.2\.42'
	assert_file_has_content "$T_TMP/gate.out" '^tcp [1-9]'
	wait "$box" || true
	assert_nothing_left
}

test_publish_udp() {
	require_net
	publish_udp_case 127.0.0.1 10.0.2.2
}

# UDP with an [IPv6] HOSTIP keeps the address family, as libslirp's forwards
# did: datagrams reach fd00::100, so the server inside listens on [::].
test_publish_udp_ipv6() {
	require_net
	require_ipv6_lo
	publish_udp_case ::1 fd00::2
}

# A sender outside whose address really is 10.0.2.2 (spoofed, a LAN host that is
# 10.0.2.2, a QEMU user-net host's clients) sends to a UDP forward from port X; the
# server inside answers to 10.0.2.2:X and to the sender as it saw it. Nothing may
# reach the host's 127.0.0.1:X (libslirp would deliver a datagram to 10.0.2.2
# there), nor 127.0.0.1:Y for a port Y the sender never used. The host is a network
# namespace of the test user's own (unshare -Urn) where lo has 10.0.2.2.
test_publish_udp_sender_is_vhost() {
	require_net
	require_cmd unshare ip
	unshare -Urn true 2>/dev/null || t_skip "unshare -Urn is not permitted here"
	cat >"$T_TMP/inside.py" <<-'EOS'
		import socket, time
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		s.bind(("0.0.0.0", 5300))
		open("/run/t/inside.ready", "w").write("ready\n")
		s.settimeout(20)
		data, peer = s.recvfrom(100)
		open("/run/t/peer", "w").write("%s %d\n" % peer)
		s.sendto(b"attack-to-vhost", ("10.0.2.2", 9999))
		s.sendto(b"reply", peer)
		s.sendto(b"control", ("10.0.2.2", 9998))
		time.sleep(1)
	EOS
	cat >"$T_TMP/host.py" <<-'EOS'
		import os, socket, sys, time
		t = sys.argv[1]
		victim = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		victim.bind(("127.0.0.1", 9999))
		ctl = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		ctl.bind(("127.0.0.1", 9998))
		sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		sender.bind(("10.0.2.2", 9999))
		for _ in range(300):
		    if os.path.exists(t + "/inside.ready"):
		        break
		    time.sleep(0.1)
		sender.sendto(b"hello", ("10.0.2.2", 5300))
		for name, s in (("reply", sender), ("victim", victim), ("control", ctl)):
		    s.settimeout(4)
		    try:
		        d, p = s.recvfrom(100)
		        print(name, d.decode(), p[0], p[1], flush=True)
		    except socket.timeout:
		        print(name, "nothing", flush=True)
	EOS
	run_cmd unshare -Urn bash -c '
		ip link set lo up && ip addr add 10.0.2.2/32 dev lo || exit 99
		python3 "$1/host.py" "$1" >"$1/host.out" 2>&1 & h=$!
		"$2" run --rm --network slirp --userns single -p 5300:5300/udp -v "$1:/run/t" host python3 /run/t/inside.py
		rc=$?; wait $h; exit $rc' - "$T_TMP" "$SANDBOX"
	assert_eq 0 "$T_STATUS" "the sandbox in the test's network namespace"
	assert_file_has_content "$T_TMP/host.out" '^victim nothing$'
	assert_file_has_content "$T_TMP/host.out" '^control nothing$'
	assert_file_has_content "$T_TMP/host.out" '^reply reply 10\.0\.2\.2 5300$'
	# the server inside sees the sandbox's own address, as with TCP forwards
	assert_file_has_content "$T_TMP/peer" '^10\.0\.2\.100 '
	assert_nothing_left
}

# A sandbox with CAP_NET_RAW writes frames to eth0 itself (sbx-probe rawudp), past
# its kernel's routing, which keeps 127.0.0.1 and ::1 on lo: UDP addressed to the
# host's loopback directly, or to 10.0.2.2 / fd00::2, must not get there, with a UDP
# forward open (the helper's gate alone) or not. The same frames to 10.0.2.2 and
# fd00::2 with --allow-host-loopback arrive: they are well-formed.
test_raw_frames_to_host_loopback() {
	require_net
	local port fp v6=
	port=$(free_port)
	fp=$(free_port)
	python3 "$NETSRV" udpsink 127.0.0.1 "$port" "$T_TMP/sink.ready" "$T_TMP/sink" >/dev/null 2>&1 &
	t_defer kill "$!"
	wait_for_file "$T_TMP/sink.ready" ready
	if has_ipv6_lo; then
		v6=1
		python3 "$NETSRV" udpsink ::1 "$port" "$T_TMP/sink6.ready" "$T_TMP/sink" >/dev/null 2>&1 &
		t_defer kill "$!"
		wait_for_file "$T_TMP/sink6.ready" ready
	fi
	local send="sbx-probe rawudp 127.0.0.1 $port direct4 && sbx-probe rawudp 10.0.2.2 $port vhost4"
	[ -z "$v6" ] || send="$send && sbx-probe rawudp ::1 $port direct6 && sbx-probe rawudp fd00::2 $port vhost6"
	assert_status 0 net_run --cap-add NET_RAW "$ROOTFS" sh -c "$send && sleep 1"
	assert_file_has_content "$T_OUT" '^sent$'
	assert_status 0 net_run --cap-add NET_RAW -p "127.0.0.1:$fp:53/udp" "$ROOTFS" sh -c "$send && sleep 1"
	send="sbx-probe rawudp 10.0.2.2 $port control4"
	[ -z "$v6" ] || send="$send && sbx-probe rawudp fd00::2 $port control6"
	assert_status 0 net_run --cap-add NET_RAW --allow-host-loopback "$ROOTFS" sh -c "$send && sleep 1"
	wait_for_file "$T_TMP/sink" control4 5
	[ -z "$v6" ] || wait_for_file "$T_TMP/sink" control6 5
	assert_not_file_has_content "$T_TMP/sink" 'direct|vhost'
	assert_nothing_left
}

# The sandbox's server on a UDP forward's port first sends to the subnet's broadcast
# 10.0.2.255 (libslirp would then show every sender to the forward as 10.0.2.2), then
# answers a datagram that a host process sends from its non-loopback address and a
# port X it chose with a datagram to 10.0.2.2:X: nothing reaches the host's 127.0.0.1:X.
test_publish_udp_broadcast_no_flow() {
	require_net
	local fp x hostip
	hostip=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("192.0.2.200", 9)); a = s.getsockname()[0]; print("" if a.startswith("127.") else a)' 2>/dev/null) || true
	[ -n "$hostip" ] || t_skip "the host has no IPv4 address but loopback ones"
	fp=$(free_port)
	x=$(free_port)
	python3 "$NETSRV" udpsink 127.0.0.1 "$x" "$T_TMP/sink.ready" "$T_TMP/sink" >/dev/null 2>&1 &
	t_defer kill "$!"
	wait_for_file "$T_TMP/sink.ready" ready
	cat >"$T_TMP/inside.py" <<-'EOS'
		import socket
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
		s.bind(("0.0.0.0", 5353))
		s.sendto(b"hello", ("10.0.2.255", 9))
		open("/run/t/inside.ready", "w").write("ready\n")
		s.settimeout(10)
		d, peer = s.recvfrom(512)
		open("/run/t/peer", "w").write("%s %d\n" % peer)
		s.sendto(b"attack", ("10.0.2.2", peer[1]))
		s.sendto(b"attack", peer)
	EOS
	"$SANDBOX" run --rm --network slirp "${SBX_RUN_DEFAULTS[@]}" -p "$fp:5353/udp" -v "$T_TMP:/run/t" host \
		sh -c 'python3 /run/t/inside.py && sleep 1' >"$T_TMP/box.out" 2>"$T_TMP/box.err" &
	local box=$!
	t_defer kill "$box"
	wait_for_file "$T_TMP/inside.ready" ready 15
	python3 -c 'import socket, sys; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2]))); s.sendto(b"q", (sys.argv[1], int(sys.argv[3])))' "$hostip" "$x" "$fp"
	wait_for_file "$T_TMP/peer" . 10 || t_fail "the datagram from $hostip:$x did not arrive inside"
	wait "$box" || true
	assert_not_file_has_content "$T_TMP/sink" attack
	assert_nothing_left
}

test_two_sandboxes() {
	require_net
	require_cmd curl
	local p1 p2 b1 b2 out1 out2
	p1=$(free_port)
	p2=$(free_port)
	[ "$p1" != "$p2" ] || p2=$(free_port)
	"$SANDBOX" run --rm --network slirp "${SBX_RUN_DEFAULTS[@]}" -p "$p1:80" "$ROOTFS" sh -c 'mkdir /w && echo one >/w/index.html && httpd -f -p 80 -h /w' >/dev/null 2>&1 &
	b1=$!
	"$SANDBOX" run --rm --network slirp "${SBX_RUN_DEFAULTS[@]}" -p "$p2:80" "$ROOTFS" sh -c 'mkdir /w && echo two >/w/index.html && httpd -f -p 80 -h /w' >/dev/null 2>&1 &
	b2=$!
	t_defer kill "$b1" "$b2"
	for _ in $(seq 1 100); do
		out1=$(curl -s --max-time 2 "http://127.0.0.1:$p1/" || true)
		out2=$(curl -s --max-time 2 "http://127.0.0.1:$p2/" || true)
		[ "$out1" = one ] && [ "$out2" = two ] && break
		sleep 0.1
	done
	assert_eq "one" "$out1" "first sandbox through $p1"
	assert_eq "two" "$out2" "second sandbox through $p2"
	kill -TERM "$b1" "$b2"
	wait "$b1" || true
	wait "$b2" || true
	assert_nothing_left
}

# libslirp's DNS forwarder (10.0.2.3) asks the resolvers of the helper's
# /etc/resolv.conf: here a private one naming a server on 127.0.0.1:53 of
# a network namespace the test made (port 53 needs that namespace's root).
test_dns_forwarder() {
	require_net
	require_cmd unshare ip
	unshare -Urnm true 2>/dev/null || t_skip "unshare -Urnm is not permitted here"
	echo "nameserver 127.0.0.1" >"$T_TMP/resolv.conf"
	# shellcheck disable=SC2154
	run_cmd unshare -Urnm bash -c '
		ip link set lo up && mount --bind "$1/resolv.conf" /etc/resolv.conf || exit 99
		python3 "$2" dns 127.0.0.1 53 "$1/dns.ready" & srv=$!
		for i in $(seq 1 50); do [ -f "$1/dns.ready" ] && break; sleep 0.1; done
		"$3" run --rm --network slirp --userns single "$4" sh -c "cat /etc/resolv.conf; nslookup name.example.test"
		rc=$?; kill $srv; exit $rc' - "$T_TMP" "$NETSRV" "$SANDBOX" "$ROOTFS"
	assert_eq 0 "$T_STATUS" "nslookup through 10.0.2.3"
	assert_file_has_content "$T_OUT" '^nameserver 10\.0\.2\.3$'
	assert_file_has_content "$T_OUT" 'Address:? *192\.0\.2\.42'
	assert_nothing_left
}

test_helper_gone_after_kill_init() {
	require_net
	local cmd init
	"$SANDBOX" run --rm --network slirp "${SBX_RUN_DEFAULTS[@]}" "$ROOTFS" sleep 1013 >"$T_OUT" 2>"$T_ERR" &
	local box=$!
	t_defer kill "$box"
	cmd=$(wait_for_process '^sleep 1013$')
	pgrep -x sandbox-net >/dev/null || t_fail "no network helper while the sandbox runs"
	init=$(awk '$1 == "PPid:" { print $2 }' "/proc/$cmd/status")
	kill -KILL "$init"
	wait "$box" || true
	assert_nothing_left
}

test_bad_publish() {
	require_net
	local spec
	for spec in x 80 0:80 99999:80 8080:0 8080:70000 1.2.3:8080:80 8080:80/sctp ':80' 'a:b' \
		'::1:8080:80' '[::1]8080:80' '[]:1:2' '[fe80::1%eth0]:8080:80' '[::1]:0:80' '[::1:8080:80'; do
		run_cmd net_run -p "$spec" "$ROOTFS" true
		assert_eq 125 "$T_STATUS" "exit status with -p $spec"
		assert_error_line '^sandbox: -p'
	done
	run_cmd sbx_run -p 18080:80 "$ROOTFS" true
	assert_eq 125 "$T_STATUS" "-p with --network none"
	assert_error_line 'network slirp'
	run_cmd "$SANDBOX" run --rm --network slirp:mtu=10 "$ROOTFS" true
	assert_eq 125 "$T_STATUS" "--network slirp:mtu=10"
	assert_error_line 'mtu'
	assert_nothing_left
}

test_privileged_port() {
	require_net
	local start
	start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start 2>/dev/null || echo 0)
	[ "$start" -gt 1 ] || t_skip "net.ipv4.ip_unprivileged_port_start is $start"
	[ "$(id -u)" != 0 ] || t_skip "root may bind any port"
	run_cmd net_run -p "$((start - 1)):80" "$ROOTFS" true
	assert_eq 125 "$T_STATUS" "exit status"
	assert_error_line 'ip_unprivileged_port_start'
	if has_ipv6_lo; then
		run_cmd net_run -p "[::1]:$((start - 1)):80" "$ROOTFS" true
		assert_eq 125 "$T_STATUS" "exit status with -p [::1]:$((start - 1)):80"
		assert_error_line 'ip_unprivileged_port_start'
	fi
	assert_nothing_left
}

test_port_in_use() {
	require_net
	local port
	port=$(free_port)
	start_server tcpecho 127.0.0.1 "$port"
	run_cmd net_run -p "127.0.0.1:$port:80" "$ROOTFS" true
	assert_eq 125 "$T_STATUS" "exit status"
	assert_error_line "port $port/tcp is already in use"
	if has_ipv6_lo; then
		port=$(free_port)
		start_server tcpecho ::1 "$port"
		run_cmd net_run -p "[::1]:$port:80" "$ROOTFS" true
		assert_eq 125 "$T_STATUS" "exit status with -p [::1]:$port:80"
		assert_error_line "port $port/tcp is already in use"
	fi
	assert_nothing_left
}

test_tun_missing() {
	require_net
	require_cmd unshare
	unshare -Urm true 2>/dev/null || t_skip "unshare -Urm is not permitted here"
	run_cmd unshare -Urm sh -c 'mount -t tmpfs none /dev/net && exec "$@"' - \
		"$SANDBOX" run --rm --network slirp --userns single "$ROOTFS" true
	assert_eq 125 "$T_STATUS" "exit status"
	assert_error_line '/dev/net/tun'
	assert_file_has_content "$T_ERR" 'network none'
	assert_file_has_content "$T_ERR" 'doctor'
	assert_nothing_left
}

t "--network none has only lo" test_none_only_lo
t "the default network is slirp: -p serves a host curl" test_default_is_slirp
t "slirp: eth0 10.0.2.100/24, fd00::100/64, routes, MTU, resolv.conf" test_slirp_interfaces
t "TCP to host loopback only with --allow-host-loopback" test_outbound_tcp_host_loopback
t "UDP to host loopback only with --allow-host-loopback" test_outbound_udp_host_loopback
t "IPv6: fd00::2 reaches the host's ::1" test_ipv6
t "ping sockets reach fd00::2 and 10.0.2.2 (ping_group_range)" test_ping_sockets
t "-p TCP: busybox httpd inside, curl on the host" test_publish_tcp
t "-p TCP: 30 MB intact, a refused port does not break the forward" test_publish_tcp_bulk_and_refused
t "-p [::1]:PORT:80 and [::]:PORT:80: curl of [::1] on the host" test_publish_tcp_ipv6
t "-p UDP without --allow-host-loopback; the gate stays closed" test_publish_udp
t "-p [::1]:PORT:PORT/udp; the gate stays closed" test_publish_udp_ipv6
t "-p UDP: a sender that is 10.0.2.2 gets nothing to the host's loopback" test_publish_udp_sender_is_vhost
t "raw frames to the host's loopback (CAP_NET_RAW) do not get there" test_raw_frames_to_host_loopback
t "-p UDP: a sandbox that sent to 10.0.2.255 gets no flow to the host's loopback" test_publish_udp_broadcast_no_flow
t "two sandboxes forward different ports at once" test_two_sandboxes
t "DNS through 10.0.2.3 to the helper's resolver" test_dns_forwarder
t "the helper is gone after kill -9 of the init" test_helper_gone_after_kill_init
t "bad -p and --network values: one line, exit 125" test_bad_publish
t "host port below ip_unprivileged_port_start" test_privileged_port
t "host port in use" test_port_in_use
t "/dev/net/tun missing" test_tun_missing
t_main "$@"
