/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doctor.h - `sandbox doctor`: what this host offers rootless sandboxes */
#ifndef SBX_DOCTOR_H
#define SBX_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "options.h"

enum doctor_status {
	DOCTOR_OK,
	DOCTOR_WARN,	/* an optional feature is missing or degraded */
	DOCTOR_MISSING, /* something is missing; fatal for `run` if required */
};

/* The result of one check. */
struct doctor_check {
	const char *name; /* stable: "kernel", "userns", "overlay", ... */
	enum doctor_status status;
	bool required; /* `run` cannot work unless this one is ok */
	char *detail;  /* what was found */
	char *fix;     /* NULL, or the exact command or file that fixes it */
};

struct doctor_report {
	struct doctor_check *checks;
	size_t n;
};

void doctor_run(const struct sbx_global *g, struct doctor_report *r);
bool doctor_report_ok(const struct doctor_report *r);
char *doctor_format_text(const struct doctor_report *r);
char *doctor_format_json(const struct doctor_report *r);
void doctor_report_free(struct doctor_report *r);
const char *doctor_status_name(enum doctor_status s);

#endif /* SBX_DOCTOR_H */
