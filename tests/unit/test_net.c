// SPDX-License-Identifier: GPL-2.0-or-later
/* test_net.c - unit tests for -p specs, --network slirp options and the port checks */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"

static void test_publish_ok(void **state)
{
	struct sbx_error *err = NULL;
	struct net_publish p;

	(void)state;
	assert_int_equal(net_parse_publish("8080:80", &p, &err), 0);
	assert_int_equal(p.host_port, 8080);
	assert_int_equal(p.guest_port, 80);
	assert_false(p.udp);
	assert_int_equal(p.host_addr.s_addr, htonl(INADDR_ANY));

	assert_int_equal(net_parse_publish("127.0.0.1:65535:1/udp", &p, &err), 0);
	assert_int_equal(p.host_port, 65535);
	assert_int_equal(p.guest_port, 1);
	assert_true(p.udp);
	assert_int_equal(p.host_addr.s_addr, htonl(INADDR_LOOPBACK));

	assert_int_equal(net_parse_publish("1:2/tcp", &p, &err), 0);
	assert_false(p.udp);
	assert_false(p.ipv6);
	assert_null(err);
}

static void test_publish_ipv6(void **state)
{
	struct sbx_error *err = NULL;
	struct net_publish p;
	struct sockaddr_storage ss;
	struct sockaddr_in6 *sa6 = (struct sockaddr_in6 *)&ss;
	struct in6_addr doc;

	(void)state;
	assert_int_equal(net_parse_publish("[::1]:8080:80", &p, &err), 0);
	assert_true(p.ipv6);
	assert_false(p.udp);
	assert_true(IN6_ARE_ADDR_EQUAL(&p.host_addr6, &in6addr_loopback));
	assert_int_equal(p.host_port, 8080);
	assert_int_equal(p.guest_port, 80);
	assert_int_equal(net_publish_host_sockaddr(&p, &ss), sizeof(struct sockaddr_in6));
	assert_int_equal(sa6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(sa6->sin6_port), 8080);
	assert_true(IN6_ARE_ADDR_EQUAL(&sa6->sin6_addr, &in6addr_loopback));

	assert_int_equal(net_parse_publish("[::]:1:2/udp", &p, &err), 0);
	assert_true(p.ipv6);
	assert_true(p.udp);
	assert_true(IN6_IS_ADDR_UNSPECIFIED(&p.host_addr6));
	assert_int_equal(p.host_port, 1);
	assert_int_equal(p.guest_port, 2);

	assert_int_equal(net_parse_publish("[2001:db8::a:1]:65535:443/tcp", &p, &err), 0);
	inet_pton(AF_INET6, "2001:db8::a:1", &doc);
	assert_true(IN6_ARE_ADDR_EQUAL(&p.host_addr6, &doc));
	assert_false(p.udp);
	assert_null(err);
}

/* refused IPv6 forms, each with a message that names the problem */
static void test_publish_ipv6_bad(void **state)
{
	static const struct {
		const char *spec, *msg;
	} bad[] = {
	    {"[fe80::1%eth0]:8080:80", "scoped"},
	    {"[fe80::1]:8080:80", "link-local"},
	    {"::1:8080:80", "brackets: [::1]:8080:80"},
	    {"2001:db8::1:8080:80/udp", "brackets: [2001:db8::1]:8080:80/udp"},
	    {"[::1]8080:80", "expected `:` after `]`"},
	    {"[]:1:2", "empty host address"},
	    {"[::1:8080:80", "`]` missing"},
	    {"[::1]:80", "expected [HOSTIP:]HOSTPORT:PORT"},
	    {"[::1]:1:2:3", "expected [HOSTIP]:HOSTPORT:PORT"},
	    {"[::1]:0:80", "host port must be"},
	    {"[::1]:8080:0", "port must be"},
	    {"[::1]:8080:80/sctp", "protocol"},
	    {"[::g]:1:2", "invalid IPv6 host address `::g`"},
	    {"[1.2.3.4]:1:2", "invalid IPv6 host address"},
	    {"[::ffff:127.0.0.1]:1:2", "write it as 127.0.0.1"},
	    {"[1:2:3:4:5:6:7:8:9:10:11:12:13:14:15:16:17:18:19:20:21:22:23:24:25:26:27]:1:2", "invalid host"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sbx_error *err = NULL;
		struct net_publish p;

		if (net_parse_publish(bad[i].spec, &p, &err) >= 0)
			fail_msg("accepted -p `%s`", bad[i].spec);
		assert_non_null(err);
		if (!strstr(err->msg, bad[i].msg))
			fail_msg("-p `%s`: message `%s` lacks `%s`", bad[i].spec, err->msg, bad[i].msg);
		assert_null(strchr(err->msg, '\n'));
		sbx_error_free(err);
	}
}

static void test_publish_bad(void **state)
{
	static const char *const bad[] = {
	    "",
	    "80",
	    ":80",
	    "80:",
	    "0:80",
	    "80:0",
	    "65536:80",
	    "80:65536",
	    "99999999999:80",
	    "-1:80",
	    "a:80",
	    "80:b",
	    "8080:80/sctp",
	    "8080:80/",
	    "8080:80/tcpx",
	    "1.2.3:8080:80",
	    "256.0.0.1:80:80",
	    ":8080:80",
	    "1:2:3:4",
	    "80 :80",
	    "+80:80",
	    "0x50:80",
	    "8080:80/tcp/udp",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sbx_error *err = NULL;
		struct net_publish p;

		if (net_parse_publish(bad[i], &p, &err) >= 0)
			fail_msg("accepted -p `%s`", bad[i]);
		assert_non_null(err);
		assert_non_null(strstr(err->msg, "-p `"));
		sbx_error_free(err);
	}
}

static void test_slirp_options(void **state)
{
	struct sbx_error *err = NULL;
	unsigned mtu = NET_MTU_DEFAULT;

	(void)state;
	assert_int_equal(net_parse_slirp_options("", &mtu, &err), 0);
	assert_int_equal(mtu, NET_MTU_DEFAULT);
	assert_int_equal(net_parse_slirp_options("mtu=1500", &mtu, &err), 0);
	assert_int_equal(mtu, 1500);
	assert_int_equal(net_parse_slirp_options("mtu=65521", &mtu, &err), 0);
	assert_int_equal(mtu, 65521);
	for (const char *const *b =
		 (const char *const[]){"mtu=10", "mtu=65522", "mtu=", "mtu=1500x", "foo=1", "mtu", NULL};
	     *b; b++) {
		assert_true(net_parse_slirp_options(*b, &mtu, &err) < 0);
		assert_non_null(strstr(err->msg, "--network slirp"));
		sbx_error_free(err);
		err = NULL;
	}
}

static void test_check_publish(void **state)
{
	struct sbx_error *err = NULL;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct net_publish p[2];

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	p[0] =
	    (struct net_publish){.host_addr = sa.sin_addr, .host_port = ntohs(sa.sin_port), .guest_port = 80};
	assert_true(net_check_publish(p, 1, &err) < 0);
	assert_non_null(strstr(err->msg, "already in use"));
	sbx_error_free(err);
	err = NULL;
	close(fd);
	/* the same port twice in one run */
	p[1] = p[0];
	assert_true(net_check_publish(p, 2, &err) < 0);
	assert_non_null(strstr(err->msg, "twice"));
	sbx_error_free(err);
	err = NULL;
	/* UDP and TCP on one port are two forwards */
	p[1].udp = true;
	assert_int_equal(net_check_publish(p, 2, &err), 0);
}

static bool host_has_ipv6_loopback(void)
{
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	bool ok = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;

	if (fd >= 0)
		close(fd);
	return ok;
}

static void test_check_publish_ipv6(void **state)
{
	struct sbx_error *err = NULL;
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	socklen_t len = sizeof(sa);
	struct net_publish p[2];
	int fd;

	(void)state;
	if (!host_has_ipv6_loopback())
		skip();
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	p[0] = (struct net_publish){
	    .ipv6 = true, .host_addr6 = in6addr_loopback, .host_port = ntohs(sa.sin6_port), .guest_port = 80};
	assert_true(net_check_publish(p, 1, &err) < 0);
	assert_non_null(strstr(err->msg, "already in use"));
	sbx_error_free(err);
	err = NULL;
	close(fd);
	assert_int_equal(net_check_publish(p, 1, &err), 0);
	/* 127.0.0.1 and ::1 on one port are two forwards, as with docker */
	p[1] = (struct net_publish){
	    .host_addr.s_addr = htonl(INADDR_LOOPBACK), .host_port = p[0].host_port, .guest_port = 80};
	assert_int_equal(net_check_publish(p, 2, &err), 0);
	/* without HOSTIP a TCP forward listens on [::] too */
	p[1].host_addr.s_addr = htonl(INADDR_ANY);
	assert_true(net_check_publish(p, 2, &err) < 0);
	assert_non_null(strstr(err->msg, "twice"));
	sbx_error_free(err);
	err = NULL;
	/* [::] and [::1] */
	p[1] = p[0];
	p[1].host_addr6 = in6addr_any;
	assert_true(net_check_publish(p, 2, &err) < 0);
	assert_non_null(strstr(err->msg, "twice"));
	sbx_error_free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_publish_ok),	       cmocka_unit_test(test_publish_bad),
	    cmocka_unit_test(test_publish_ipv6),       cmocka_unit_test(test_publish_ipv6_bad),
	    cmocka_unit_test(test_slirp_options),      cmocka_unit_test(test_check_publish),
	    cmocka_unit_test(test_check_publish_ipv6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
