// SPDX-License-Identifier: GPL-2.0-or-later
/* tls.c - what libcurl's TLS library misses: IP addresses in subjectAltName (mbedTLS 2.28)
 *
 * The static build's libcurl uses mbedTLS 2.28, whose host name check knows
 * only dNSName subjectAltNames (and the CN when there are none): a registry
 * reached by address with a certificate for `IP:10.1.2.3` is refused
 * (BADCERT_CN_MISMATCH), and a dNSName "10.1.2.3" would be taken for the
 * address. Podman, docker (Go's crypto/x509) and curl with OpenSSL match an
 * address against iPAddress names only. So does this module: for every TLS
 * connection whose host is an IP literal, a verify callback decides the
 * name check of the leaf certificate by its iPAddress names (4 bytes for
 * IPv4, 16 for IPv6), and DNS names and the CN no longer count. Names that
 * are not addresses keep mbedTLS's check.
 *
 * The callback is installed from CURLOPT_SSL_CTX_FUNCTION, which hands over
 * the connection's mbedtls_ssl_config. The host name the connection checks
 * is the one curl gave mbedtls_ssl_set_hostname(): the callback reads it from
 * the connection's mbedtls_ssl_context (CURLINFO_TLS_SSL_PTR), used only when
 * that context belongs to this very config. The TLS connection to an HTTPS
 * proxy in front of an HTTPS registry is not that first context: it keeps
 * mbedTLS's own check.
 *
 * mbedTLS keeps every subjectAltName of a parsed certificate in
 * crt->subject_alt_names with its tag and raw bytes; the certificate comes
 * from the server, the list is walked once and only its lengths and bytes
 * are compared. Upstream mbedTLS verifies iPAddress names itself from 3.5;
 * with another TLS library (OpenSSL in the glibc test build) nothing is
 * installed.
 */
#include "tls.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#error "tls.c reads mbedTLS 2.x structures; mbedTLS >= 3.5 checks IP subjectAltNames itself"
#endif

/* GeneralName iPAddress: [7] IMPLICIT OCTET STRING, primitive */
#define SAN_TAG_IP_ADDRESS (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7)

/**
 * tls_match_ip_san() - check an IP address against a certificate's iPAddress names
 * @crt:	the server's (leaf) certificate, parsed by mbedTLS
 * @host:	the host the connection is for: a name, an IPv4 address or an
 *		IPv6 one (with or without brackets)
 *
 * Only the iPAddress entries of subjectAltName count for an address; a
 * dNSName that spells it, or the CN, does not (RFC 6125 6.2.1, as Go's
 * crypto/x509 does).
 *
 * Return: TLS_HOST_IS_NAME when @host is no IP address, else TLS_IP_MATCH
 * or TLS_IP_MISMATCH.
 */
enum tls_ip_match tls_match_ip_san(const mbedtls_x509_crt *crt, const char *host)
{
	unsigned char addr[16];
	char buf[INET6_ADDRSTRLEN + 2];
	size_t len, alen;

	len = strlen(host);
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']' && len - 2 < sizeof(buf)) {
		memcpy(buf, host + 1, len - 2);
		buf[len - 2] = '\0';
		host = buf;
	}
	if (inet_pton(AF_INET, host, addr) == 1)
		alen = 4;
	else if (inet_pton(AF_INET6, host, addr) == 1)
		alen = 16;
	else
		return TLS_HOST_IS_NAME;
	if (!(crt->ext_types & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME))
		return TLS_IP_MISMATCH;
	for (const mbedtls_x509_sequence *cur = &crt->subject_alt_names; cur; cur = cur->next)
		if (cur->buf.p && cur->buf.tag == SAN_TAG_IP_ADDRESS && cur->buf.len == alen &&
		    memcmp(cur->buf.p, addr, alen) == 0)
			return TLS_IP_MATCH;
	return TLS_IP_MISMATCH;
}

/*
 * mbedTLS calls this for each certificate of the verified chain, the leaf
 * (depth 0) last, with the flags found so far; its name check has set or
 * left BADCERT_CN_MISMATCH, which the iPAddress names decide instead.
 */
static int verify_ip_san(void *arg, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	const mbedtls_ssl_context *ssl = arg;

	if (depth != 0 || !ssl->hostname)
		return 0;
	switch (tls_match_ip_san(crt, ssl->hostname)) {
	case TLS_HOST_IS_NAME: break;
	case TLS_IP_MATCH: *flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_CN_MISMATCH; break;
	case TLS_IP_MISMATCH: *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH; break;
	}
	return 0;
}

/* CURLOPT_SSL_CTX_FUNCTION: called for each new TLS connection before its handshake. */
static CURLcode on_ssl_ctx(CURL *c, void *sslctx, void *arg)
{
	struct curl_tlssessioninfo *ti = NULL;
	mbedtls_ssl_context *ssl;

	(void)arg;
	if (curl_easy_getinfo(c, CURLINFO_TLS_SSL_PTR, &ti) != CURLE_OK || !ti ||
	    ti->backend != CURLSSLBACKEND_MBEDTLS || !ti->internals)
		return CURLE_OK;
	ssl = ti->internals;
	if (ssl->conf != sslctx)
		return CURLE_OK; /* not this connection's context: a proxy's TLS */
	mbedtls_ssl_set_verify(ssl, verify_ip_san, ssl);
	return CURLE_OK;
}

/**
 * tls_curl_setup() - let an easy handle verify IP addresses in subjectAltName
 * @c:	the handle, with peer and host verification on
 *
 * Does nothing unless libcurl's TLS library is mbedTLS (the others check
 * iPAddress names themselves).
 */
void tls_curl_setup(CURL *c)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);

	if (!v || !v->ssl_version || strncmp(v->ssl_version, "mbedTLS/", 8) != 0)
		return;
	curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
}
