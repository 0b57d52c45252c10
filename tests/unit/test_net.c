// SPDX-License-Identifier: GPL-2.0-or-later
/* test_net.c - unit tests for -p specs, --network slirp options and the port checks */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
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
	assert_null(err);
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
	    "[::1]:8080:80",
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_publish_ok),
	    cmocka_unit_test(test_publish_bad),
	    cmocka_unit_test(test_slirp_options),
	    cmocka_unit_test(test_check_publish),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
