/* SPDX-License-Identifier: GPL-2.0-or-later */
/* passwd.h - /etc/passwd and /etc/group lookups without NSS
 *
 * A static musl binary has no NSS, and the files that matter are often not
 * the host's anyway (`-u NAME[:GROUP]` is resolved in the sandbox's root
 * filesystem). The parsers work on a buffer (unit tests, fuzzing); the
 * lookup functions read the file, below a root descriptor when given one.
 *
 * `-u` follows docker/runc: a numeric user is a uid even when the file has
 * no line for it (gid 0, home `/` then); a numeric group is a gid likewise;
 * names must exist. Supplementary groups come from /etc/group member lists
 * and only apply when no group was given explicitly.
 */
#ifndef SBX_PASSWD_H
#define SBX_PASSWD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* Largest passwd/group file we accept (a hostile image could ship a huge one). */
#define PASSWD_MAX_FILE (16u << 20)
/* Largest id accepted: (uid_t)-1 means "no change" to the kernel. */
#define PASSWD_ID_MAX 4294967294u

/* One user: a line of /etc/passwd, or a numeric uid without a line. */
struct passwd_entry {
	char *name; /* NULL when the numeric uid has no line */
	uid_t uid;
	gid_t gid;    /* 0 when there is no line (docker's default) */
	char *home;   /* "/" when there is no line or the field is empty */
	char *shell;  /* NULL when there is no line or the field is empty */
	bool in_file; /* the file has a line for this user */
};

/* One group: a line of /etc/group, or a numeric gid without a line. */
struct group_entry {
	char *name; /* NULL when the numeric gid has no line */
	gid_t gid;
	bool in_file;
};

/* The credentials `-u USER[:GROUP]` resolves to. */
struct passwd_creds {
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* supplementary groups for setgroups(), primary not added */
	size_t n_groups;
	char *user;  /* user name, NULL if the uid has no passwd line */
	char *home;  /* "/" if unknown */
	char *shell; /* NULL if unknown */
};

bool passwd_parse_id(const char *s, size_t len, uint32_t *out);

/* Buffer parsers: @buf need not be NUL-terminated. */
int passwd_parse_user(const char *buf, size_t len, const char *name_or_uid, struct passwd_entry *out,
		      struct sbx_error **err);
int passwd_parse_group(const char *buf, size_t len, const char *name_or_gid, struct group_entry *out,
		       struct sbx_error **err);
int passwd_parse_supplementary(const char *buf, size_t len, const char *user, gid_t **gids, size_t *n,
			       struct sbx_error **err);
int passwd_resolve_spec_buf(const char *passwd, size_t passwd_len, const char *group, size_t group_len,
			    const char *spec, struct passwd_creds *out, struct sbx_error **err);

/* File lookups: @rootfd is a root filesystem's descriptor, or AT_FDCWD. */
int passwd_read_file(int rootfd, const char *path, char **buf, size_t *len, struct sbx_error **err);
int passwd_lookup(int rootfd, const char *path, const char *name_or_uid, struct passwd_entry *out,
		  struct sbx_error **err);
int passwd_group_lookup(int rootfd, const char *path, const char *name_or_gid, struct group_entry *out,
			struct sbx_error **err);
int passwd_supplementary_lookup(int rootfd, const char *path, const char *user, gid_t **gids, size_t *n,
				struct sbx_error **err);
int passwd_resolve_spec(int rootfd, const char *spec, struct passwd_creds *out, struct sbx_error **err);

void passwd_entry_free(struct passwd_entry *e);
void passwd_group_entry_free(struct group_entry *e);
void passwd_creds_free(struct passwd_creds *c);

#endif /* SBX_PASSWD_H */
