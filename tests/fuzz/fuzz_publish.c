// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_publish.c - libFuzzer target: -p specs and --network slirp options
 *
 * Input: the spec text (up to 255 bytes, cut at the first NUL).
 * Checks: an accepted spec has ports 1-65535; a refused one has a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbx_error *err = NULL;
	struct net_publish p;
	unsigned mtu = NET_MTU_DEFAULT;
	char spec[256];

	if (size >= sizeof(spec))
		size = sizeof(spec) - 1;
	memcpy(spec, data, size);
	spec[size] = '\0';
	if (net_parse_publish(spec, &p, &err) == 0) {
		if (p.host_port == 0 || p.guest_port == 0)
			abort();
	} else if (!err || !err->msg) {
		abort();
	}
	sbx_error_free(err);
	err = NULL;
	if (net_parse_slirp_options(spec, &mtu, &err) == 0) {
		if (mtu < NET_MTU_MIN || mtu > NET_MTU_MAX)
			abort();
	} else if (!err || !err->msg) {
		abort();
	}
	sbx_error_free(err);
	return 0;
}
