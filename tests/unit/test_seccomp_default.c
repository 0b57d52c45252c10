// SPDX-License-Identifier: GPL-2.0-or-later
/* test_seccomp_default.c - the filter compiled into the binary is the one
 *			    libseccomp makes now from the built-in rules */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../lib/isolate/seccomp_default.c"
#include "caps.h"
#include "seccomp.h"

static void test_embedded_matches(void **state)
{
	struct sbx_seccomp_filter *embedded = NULL, *fresh = NULL;
	struct sbx_error *err = NULL;

	(void)state;
	assert_true(seccomp_default_embedded(CAPS_DEFAULT_SET, &embedded));
	seccomp_no_embedded = true;
	assert_int_equal(seccomp_build(NULL, CAPS_DEFAULT_SET, &fresh, &err), 0);
	seccomp_no_embedded = false;
	assert_non_null(fresh);
	assert_int_equal(embedded->len, fresh->len);
	assert_int_equal(embedded->flags, fresh->flags);
	assert_memory_equal(embedded->insns, fresh->insns, fresh->len * sizeof(fresh->insns[0]));
	seccomp_filter_free(embedded);
	seccomp_filter_free(fresh);
}

static void test_other_caps_not_embedded(void **state)
{
	struct sbx_seccomp_filter *f = NULL;

	(void)state;
	assert_false(seccomp_default_embedded(CAPS_DEFAULT_SET | CAPS_BIT(21), &f));
	assert_null(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_embedded_matches),
	    cmocka_unit_test(test_other_caps_not_embedded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
