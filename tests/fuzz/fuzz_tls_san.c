// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_tls_san.c - libFuzzer target: a server's certificate against IP addresses
 *
 * Input: a DER certificate (what a TLS server sends), parsed by mbedTLS and
 * matched against an IPv4 and an IPv6 address and a name.
 */
#include <stdint.h>
#include <stdlib.h>

#include "tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mbedtls_x509_crt crt;

	mbedtls_x509_crt_init(&crt);
	if (mbedtls_x509_crt_parse_der(&crt, data, size) == 0) {
		if (tls_match_ip_san(&crt, "10.1.2.3") == TLS_HOST_IS_NAME ||
		    tls_match_ip_san(&crt, "fd00::1234") == TLS_HOST_IS_NAME ||
		    tls_match_ip_san(&crt, "registry.test") != TLS_HOST_IS_NAME)
			abort();
	}
	mbedtls_x509_crt_free(&crt);
	return 0;
}
