/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tls.h - what libcurl's TLS library misses: IP addresses in subjectAltName (mbedTLS 2.28) */
#ifndef SBX_TLS_H
#define SBX_TLS_H

#include <curl/curl.h>
#include <mbedtls/x509_crt.h>

enum tls_ip_match {
	TLS_HOST_IS_NAME, /* not an IP address: the TLS library's name check stands */
	TLS_IP_MATCH,	  /* an iPAddress subjectAltName is this address */
	TLS_IP_MISMATCH,  /* none is (DNS names and the CN do not count) */
};

enum tls_ip_match tls_match_ip_san(const mbedtls_x509_crt *crt, const char *host);
void tls_curl_setup(CURL *c);

#endif /* SBX_TLS_H */
