// SPDX-License-Identifier: GPL-2.0-or-later
/* version.c - the version of sandbox and of the libraries linked into it */
#include "version.h"

#include <curl/curl.h>
#include <jansson.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/capability.h>

#ifndef SBX_VERSION
#define SBX_VERSION "0.1.0"
#endif

void version_print(void)
{
	const struct scmp_version *sv = seccomp_version();

	printf("sandbox %s\n", SBX_VERSION);
	printf("libseccomp %u.%u.%u\n", sv->major, sv->minor, sv->micro);
	printf("jansson %s\n", jansson_version_str());
	printf("libcurl %s\n", curl_version_info(CURLVERSION_NOW)->version);
#ifdef LIBCAP_VERSION
	printf("libcap %s\n", LIBCAP_VERSION);
#else
	printf("libcap 2\n");
#endif
}
