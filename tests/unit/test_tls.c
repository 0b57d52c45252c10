// SPDX-License-Identifier: GPL-2.0-or-later
/* test_tls.c - unit tests for matching IP addresses against a certificate's subjectAltName */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "tls.h"

/*
 * Self-signed P-256 certificates made with
 *   openssl req -x509 -key k.pem -days 36500 -subj /CN=CN -addext subjectAltName=SAN
 * ip4:    CN registry.test, IP:10.1.2.3, DNS:registry.test
 * ip6:    CN registry.test, IP:::1, IP:fd00::1234
 * dnsip:  CN 127.0.0.1, DNS:127.0.0.1, DNS:localhost
 * cnonly: CN 127.0.0.1, no subjectAltName
 * many:   CN many.test, DNS:n1.test ... DNS:n40.test, IP:192.0.2.50
 */
static const char crt_ip4[] = "-----BEGIN CERTIFICATE-----\n"
			      "MIIBpzCCAU2gAwIBAgIUYXJRRwS8fDVYzevqkknkTC+Vg+UwCgYIKoZIzj0EAwIw\n"
			      "GDEWMBQGA1UEAwwNcmVnaXN0cnkudGVzdDAgFw0yNjEyMDcxOTI5MjlaGA8yMTI2\n"
			      "MTExMzE5MjkyOVowGDEWMBQGA1UEAwwNcmVnaXN0cnkudGVzdDBZMBMGByqGSM49\n"
			      "AgEGCCqGSM49AwEHA0IABInPCqJW/Kt1iac4QJPrWmMpK02WizYNvsFKlj9pNPVR\n"
			      "HzSZyak1xnFzgqDjpHzIa/FlwH4sVzoAPof88HAQJkqjczBxMB0GA1UdDgQWBBTq\n"
			      "sL5zAQi4X9RKX073HGpRI0ElczAfBgNVHSMEGDAWgBTqsL5zAQi4X9RKX073HGpR\n"
			      "I0ElczAPBgNVHRMBAf8EBTADAQH/MB4GA1UdEQQXMBWHBAoBAgOCDXJlZ2lzdHJ5\n"
			      "LnRlc3QwCgYIKoZIzj0EAwIDSAAwRQIhAPEjHnUXqAsKEBgYoJAXfcSL3fisOVrJ\n"
			      "EpfTnmycdTdGAiAfgyQ8ese1mATK4JXWAKGKhbbhos6zVnQy6VaXF1W+tw==\n"
			      "-----END CERTIFICATE-----\n";

static const char crt_ip6[] = "-----BEGIN CERTIFICATE-----\n"
			      "MIIBuDCCAV6gAwIBAgIUcX7hBOanzSG3jSGexdoodSrPPKIwCgYIKoZIzj0EAwIw\n"
			      "GDEWMBQGA1UEAwwNcmVnaXN0cnkudGVzdDAgFw0yNjEyMDcxOTI5MjlaGA8yMTI2\n"
			      "MTExMzE5MjkyOVowGDEWMBQGA1UEAwwNcmVnaXN0cnkudGVzdDBZMBMGByqGSM49\n"
			      "AgEGCCqGSM49AwEHA0IABInPCqJW/Kt1iac4QJPrWmMpK02WizYNvsFKlj9pNPVR\n"
			      "HzSZyak1xnFzgqDjpHzIa/FlwH4sVzoAPof88HAQJkqjgYMwgYAwHQYDVR0OBBYE\n"
			      "FOqwvnMBCLhf1EpfTvccalEjQSVzMB8GA1UdIwQYMBaAFOqwvnMBCLhf1EpfTvcc\n"
			      "alEjQSVzMA8GA1UdEwEB/wQFMAMBAf8wLQYDVR0RBCYwJIcQAAAAAAAAAAAAAAAA\n"
			      "AAAAAYcQ/QAAAAAAAAAAAAAAAAASNDAKBggqhkjOPQQDAgNIADBFAiBg/sx9TREb\n"
			      "ybSwI5W0h+tQNp6dpW4tnv5u4yxCC4LiFAIhAPCDtybUxpUAARxFYyr5PQkQCG35\n"
			      "TPe4fIDvie4G+X6+\n"
			      "-----END CERTIFICATE-----\n";

static const char crt_dnsip[] = "-----BEGIN CERTIFICATE-----\n"
				"MIIBoDCCAUagAwIBAgIUBM0c4/6iIYQ79jip6BunXiXOvogwCgYIKoZIzj0EAwIw\n"
				"FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwNzE5MjkyOVoYDzIxMjYxMTEz\n"
				"MTkyOTI5WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO\n"
				"PQMBBwNCAASJzwqiVvyrdYmnOECT61pjKStNlos2Db7BSpY/aTT1UR80mcmpNcZx\n"
				"c4Kg46R8yGvxZcB+LFc6AD6H/PBwECZKo3QwcjAdBgNVHQ4EFgQU6rC+cwEIuF/U\n"
				"Sl9O9xxqUSNBJXMwHwYDVR0jBBgwFoAU6rC+cwEIuF/USl9O9xxqUSNBJXMwDwYD\n"
				"VR0TAQH/BAUwAwEB/zAfBgNVHREEGDAWggkxMjcuMC4wLjGCCWxvY2FsaG9zdDAK\n"
				"BggqhkjOPQQDAgNIADBFAiBugWx+lWOK5Lpj+ObCGm/eLogEY2qLONj1HXUcgHar\n"
				"SgIhAL7jv6fshTfTsIv5SpKwnrb714ymE9KUjHCLh7fDKbg1\n"
				"-----END CERTIFICATE-----\n";

static const char crt_cnonly[] = "-----BEGIN CERTIFICATE-----\n"
				 "MIIBfjCCASWgAwIBAgIUWXM99EshHlSJKTe+GLMNKC266BwwCgYIKoZIzj0EAwIw\n"
				 "FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwNzE5MjkzMFoYDzIxMjYxMTEz\n"
				 "MTkyOTMwWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO\n"
				 "PQMBBwNCAASJzwqiVvyrdYmnOECT61pjKStNlos2Db7BSpY/aTT1UR80mcmpNcZx\n"
				 "c4Kg46R8yGvxZcB+LFc6AD6H/PBwECZKo1MwUTAdBgNVHQ4EFgQU6rC+cwEIuF/U\n"
				 "Sl9O9xxqUSNBJXMwHwYDVR0jBBgwFoAU6rC+cwEIuF/USl9O9xxqUSNBJXMwDwYD\n"
				 "VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiBQIR1aChNTkHPHTJGTqz4m\n"
				 "DIe2XS9TeMzIN8XMDUUooQIgfbUB0R039C/C3pfIZlNReDfH3nsy29w7WeqtTbXG\n"
				 "2ew=\n"
				 "-----END CERTIFICATE-----\n";

static const char crt_many[] = "-----BEGIN CERTIFICATE-----\n"
			       "MIIDIjCCAsegAwIBAgIUIv8SGuoXBfT2eprlg/YhCeh4JN0wCgYIKoZIzj0EAwIw\n"
			       "FDESMBAGA1UEAwwJbWFueS50ZXN0MCAXDTI2MTIwNzE5MjkzMFoYDzIxMjYxMTEz\n"
			       "MTkyOTMwWjAUMRIwEAYDVQQDDAltYW55LnRlc3QwWTATBgcqhkjOPQIBBggqhkjO\n"
			       "PQMBBwNCAASJzwqiVvyrdYmnOECT61pjKStNlos2Db7BSpY/aTT1UR80mcmpNcZx\n"
			       "c4Kg46R8yGvxZcB+LFc6AD6H/PBwECZKo4IB8zCCAe8wHQYDVR0OBBYEFOqwvnMB\n"
			       "CLhf1EpfTvccalEjQSVzMB8GA1UdIwQYMBaAFOqwvnMBCLhf1EpfTvccalEjQSVz\n"
			       "MA8GA1UdEwEB/wQFMAMBAf8wggGaBgNVHREEggGRMIIBjYIHbjEudGVzdIIHbjIu\n"
			       "dGVzdIIHbjMudGVzdIIHbjQudGVzdIIHbjUudGVzdIIHbjYudGVzdIIHbjcudGVz\n"
			       "dIIHbjgudGVzdIIHbjkudGVzdIIIbjEwLnRlc3SCCG4xMS50ZXN0gghuMTIudGVz\n"
			       "dIIIbjEzLnRlc3SCCG4xNC50ZXN0gghuMTUudGVzdIIIbjE2LnRlc3SCCG4xNy50\n"
			       "ZXN0gghuMTgudGVzdIIIbjE5LnRlc3SCCG4yMC50ZXN0gghuMjEudGVzdIIIbjIy\n"
			       "LnRlc3SCCG4yMy50ZXN0gghuMjQudGVzdIIIbjI1LnRlc3SCCG4yNi50ZXN0gghu\n"
			       "MjcudGVzdIIIbjI4LnRlc3SCCG4yOS50ZXN0gghuMzAudGVzdIIIbjMxLnRlc3SC\n"
			       "CG4zMi50ZXN0gghuMzMudGVzdIIIbjM0LnRlc3SCCG4zNS50ZXN0gghuMzYudGVz\n"
			       "dIIIbjM3LnRlc3SCCG4zOC50ZXN0gghuMzkudGVzdIIIbjQwLnRlc3SHBMAAAjIw\n"
			       "CgYIKoZIzj0EAwIDSQAwRgIhAK2bh5DMydzlEyYzUhjqCo9UsG3LT4rARaxZJNoh\n"
			       "En/3AiEAyZE/e7PVD0uJ7bIF4x5+RNNe5olIbe5rmPsCtwbKtMY=\n"
			       "-----END CERTIFICATE-----\n";

static mbedtls_x509_crt parse(const char *pem)
{
	mbedtls_x509_crt crt;

	mbedtls_x509_crt_init(&crt);
	assert_int_equal(mbedtls_x509_crt_parse(&crt, (const unsigned char *)pem, strlen(pem) + 1), 0);
	return crt;
}

static void test_ipv4_san(void **state)
{
	mbedtls_x509_crt crt = parse(crt_ip4);

	(void)state;
	assert_int_equal(tls_match_ip_san(&crt, "10.1.2.3"), TLS_IP_MATCH);
	assert_int_equal(tls_match_ip_san(&crt, "10.1.2.4"), TLS_IP_MISMATCH);
	assert_int_equal(tls_match_ip_san(&crt, "3.2.1.10"), TLS_IP_MISMATCH);
	/* the same bytes in another family are another address */
	assert_int_equal(tls_match_ip_san(&crt, "::a01:203"), TLS_IP_MISMATCH);
	assert_int_equal(tls_match_ip_san(&crt, "::ffff:10.1.2.3"), TLS_IP_MISMATCH);
	/* names are left to mbedTLS's check */
	assert_int_equal(tls_match_ip_san(&crt, "registry.test"), TLS_HOST_IS_NAME);
	assert_int_equal(tls_match_ip_san(&crt, "10.1.2.3.example"), TLS_HOST_IS_NAME);
	assert_int_equal(tls_match_ip_san(&crt, "010.1.2.3"), TLS_HOST_IS_NAME);
	mbedtls_x509_crt_free(&crt);
}

static void test_ipv6_san(void **state)
{
	mbedtls_x509_crt crt = parse(crt_ip6);

	(void)state;
	assert_int_equal(tls_match_ip_san(&crt, "::1"), TLS_IP_MATCH);
	assert_int_equal(tls_match_ip_san(&crt, "[::1]"), TLS_IP_MATCH);
	assert_int_equal(tls_match_ip_san(&crt, "fd00::1234"), TLS_IP_MATCH);
	assert_int_equal(tls_match_ip_san(&crt, "FD00:0:0:0:0:0:0:1234"), TLS_IP_MATCH);
	assert_int_equal(tls_match_ip_san(&crt, "fd00::1235"), TLS_IP_MISMATCH);
	assert_int_equal(tls_match_ip_san(&crt, "127.0.0.1"), TLS_IP_MISMATCH);
	assert_int_equal(tls_match_ip_san(&crt, "0.0.0.1"), TLS_IP_MISMATCH);
	mbedtls_x509_crt_free(&crt);
}

/* A DNS name or a CN that spells the address is no iPAddress name. */
static void test_dns_and_cn_do_not_count(void **state)
{
	mbedtls_x509_crt dns = parse(crt_dnsip), cn = parse(crt_cnonly);

	(void)state;
	assert_int_equal(tls_match_ip_san(&dns, "127.0.0.1"), TLS_IP_MISMATCH);
	assert_int_equal(tls_match_ip_san(&dns, "localhost"), TLS_HOST_IS_NAME);
	assert_int_equal(tls_match_ip_san(&cn, "127.0.0.1"), TLS_IP_MISMATCH);
	mbedtls_x509_crt_free(&dns);
	mbedtls_x509_crt_free(&cn);
}

static void test_many_names(void **state)
{
	mbedtls_x509_crt crt = parse(crt_many);

	(void)state;
	assert_int_equal(tls_match_ip_san(&crt, "192.0.2.50"), TLS_IP_MATCH);
	assert_int_equal(tls_match_ip_san(&crt, "192.0.2.51"), TLS_IP_MISMATCH);
	mbedtls_x509_crt_free(&crt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ipv4_san),
	    cmocka_unit_test(test_ipv6_san),
	    cmocka_unit_test(test_dns_and_cn_do_not_count),
	    cmocka_unit_test(test_many_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
