/* SPDX-License-Identifier: GPL-2.0-or-later */
/* userns.h - uid/gid maps of the sandbox's user namespace */
#ifndef SBX_USERNS_H
#define SBX_USERNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "options.h"

/* Lines per uid_map/gid_map the kernel accepts (since Linux 4.15; 5 before). */
#define USERNS_MAX_LINES 340
/* Subordinate ranges read per file; more are ignored (debug log). */
#define USERNS_MAX_SUBID 1024

/* One line of a map: inside ids [inside, inside+count) are outside ids
 * [outside, outside+count). For /etc/subuid ranges only outside/count count. */
struct userns_range {
	uint32_t inside;
	uint32_t outside;
	uint32_t count;
};

/* What we know about the host, the input of userns_plan_compute(). */
struct userns_host {
	uid_t uid; /* caller's (effective) uid and gid */
	gid_t gid;
	const char *user;		   /* caller's name, NULL if unknown */
	const struct userns_range *subuid; /* caller's /etc/subuid ranges, file order */
	size_t n_subuid;
	const struct userns_range *subgid; /* caller's /etc/subgid ranges */
	size_t n_subgid;
	const char *newuidmap; /* usable helpers (absolute), or NULL */
	const char *newgidmap;
	const char *helper_problem; /* why a helper is NULL, e.g. "newuidmap not found" */
	uint32_t free_subuid;	    /* for hints: where a new range would overlap no */
	uint32_t free_subgid;	    /* one's (userns_subid_first_free()), 0: 100000 */
};

/* How to map the sandbox's user namespace. */
struct userns_plan {
	enum sbx_userns_mode mode;
	uid_t host_uid;
	gid_t host_gid;
	uid_t run_uid; /* default user inside: 0, or the host ids for keep-id */
	gid_t run_gid;
	struct userns_range uid[USERNS_MAX_LINES]; /* sorted by inside id */
	struct userns_range gid[USERNS_MAX_LINES];
	size_t n_uid;
	size_t n_gid;
	bool use_helpers; /* maps written by newuidmap/newgidmap */
	char *newuidmap;  /* absolute paths when use_helpers */
	char *newgidmap;
	char *user;	       /* caller's name (for hints), NULL if unknown */
	char *fallback_reason; /* set when auto/keep-id fell back to a single-ID map */
	char *fallback_hint;   /* how to get the full map, with fallback_reason */
};

int userns_subid_parse(const char *buf, size_t len, const char *user, uid_t uid, struct userns_range *out,
		       size_t max, size_t *n, struct sbx_error **err);
uint32_t userns_subid_first_free(const char *buf, size_t len);
int userns_plan_compute(enum sbx_userns_mode mode, const struct userns_host *host, struct userns_plan *p,
			struct sbx_error **err);
int userns_plan_make(enum sbx_userns_mode mode, struct userns_plan *p, struct sbx_error **err);
void userns_plan_free(struct userns_plan *p);
/* Why no newuidmap/newgidmap is usable (userns_find_helper()). */
enum userns_helper_fault {
	USERNS_HELPER_ABSENT,	      /* none in $PATH or the usual directories */
	USERNS_HELPER_UNPRIVILEGED,   /* neither setuid root nor file capabilities */
	USERNS_HELPER_NOT_EXECUTABLE, /* not executable for the caller */
	USERNS_HELPER_NOSUID_MOUNT,   /* on a filesystem mounted nosuid */
};

struct userns_helper_problem {
	enum userns_helper_fault fault;
	char *candidate; /* the first unusable helper found, NULL when ABSENT */
	char *text;	 /* the same in words, for messages */
};

int userns_find_helper(const char *name, char **path, struct userns_helper_problem *problem);
void userns_helper_problem_free(struct userns_helper_problem *problem);

int userns_write_maps(pid_t child, const struct userns_plan *p, struct sbx_error **err);
/* The same in two steps, to overlap the helpers with other start-up work. */
struct userns_maps_job;
int userns_write_maps_start(pid_t child, const struct userns_plan *p, struct userns_maps_job **job,
			    struct sbx_error **err);
int userns_write_maps_finish(struct userns_maps_job *job, struct sbx_error **err);
void userns_write_maps_cancel(struct userns_maps_job *job);
int userns_explain_clone_failure(int errnum, struct sbx_error **err);

bool userns_uid_mapped(const struct userns_plan *p, uid_t inside);
bool userns_gid_mapped(const struct userns_plan *p, gid_t inside);
uint64_t userns_count(const struct userns_range *r, size_t n);
bool userns_can_setgroups(const struct userns_plan *p);
int userns_kept_groups(const struct userns_plan *p);
int userns_format_map(const struct userns_range *r, size_t n, char *buf, size_t size);

#endif /* SBX_USERNS_H */
