// SPDX-License-Identifier: GPL-2.0-or-later
/* passwd.c - /etc/passwd and /etc/group lookups without NSS
 *
 * The buffers parsed here may come from an image nobody vetted: every field
 * is handled as (pointer, length) within the buffer, embedded NUL bytes make
 * a line malformed, numbers are parsed with overflow checks, and malformed
 * lines are skipped (debug log) rather than failing the whole lookup, as
 * glibc's files backend does. Files are opened below the root descriptor
 * with safepath_open() (RESOLVE_IN_ROOT), non-blocking and checked to be
 * regular files, so a FIFO or a device planted at /etc/passwd cannot hang or
 * feed us forever.
 */
#include "passwd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safepath.h"
#include "util.h"

struct field {
	const char *s;
	size_t len;
};

/* passwd: name:password:uid:gid:gecos:home:shell; group: name:password:gid:members */
#define PW_FIELDS     7
#define PW_MIN_FIELDS 4
#define GR_FIELDS     4
#define GR_MIN_FIELDS 3

/**
 * passwd_parse_id() - parse a decimal uid or gid
 * @s:		digits (not necessarily NUL-terminated)
 * @len:	number of bytes in @s
 * @out:	the value
 *
 * Only plain decimal digits: no sign, no blanks, no hex. (uid_t)-1 is
 * refused because the kernel reads it as "unchanged" in setresuid().
 *
 * Return: true if @s is a valid id.
 */
bool passwd_parse_id(const char *s, size_t len, uint32_t *out)
{
	return util_parse_u32n(s, len, PASSWD_ID_MAX, out);
}

/**
 * next_line() - step to the next line of a buffer
 * @pos:	cursor, advanced past the line and its newline
 * @end:	end of the buffer
 * @line:	start of the line
 * @len:	length of the line without newline and trailing '\r'
 *
 * Return: false at the end of the buffer.
 */
static bool next_line(const char **pos, const char *end, const char **line, size_t *len)
{
	const char *p = *pos, *nl;

	if (p >= end)
		return false;
	nl = memchr(p, '\n', (size_t)(end - p));
	*line = p;
	*len = nl ? (size_t)(nl - p) : (size_t)(end - p);
	*pos = nl ? nl + 1 : end;
	if (*len > 0 && p[*len - 1] == '\r')
		(*len)--;
	return true;
}

/**
 * split_fields() - split a line at ':'
 * @line:	the line
 * @len:	its length
 * @f:		fields found; those the line lacks are empty
 * @max:	size of @f
 *
 * Return: the number of fields, or max + 1 if the line has more than @max.
 */
static size_t split_fields(const char *line, size_t len, struct field *f, size_t max)
{
	const char *p = line, *end = line + len;
	size_t n = 0;

	for (size_t i = 0; i < max; i++)
		f[i] = (struct field){end, 0};
	for (;;) {
		const char *c = memchr(p, ':', (size_t)(end - p));

		if (n == max)
			return max + 1;
		f[n].s = p;
		f[n].len = c ? (size_t)(c - p) : (size_t)(end - p);
		n++;
		if (!c)
			return n;
		p = c + 1;
	}
}

/**
 * usable_line() - whether a line may hold an entry at all
 * @line:	the line
 * @len:	its length
 *
 * Blank lines, comments, NIS compat lines (`+`, `-`) and lines with NUL
 * bytes are not entries.
 *
 * Return: true if the line should be parsed.
 */
static bool usable_line(const char *line, size_t len)
{
	if (len == 0 || line[0] == '#' || line[0] == '+' || line[0] == '-')
		return false;
	return memchr(line, '\0', len) == NULL;
}

static bool field_eq(const struct field *f, const char *s)
{
	size_t n = strlen(s);

	return f->len == n && memcmp(f->s, s, n) == 0;
}

static char *field_dup(const struct field *f)
{
	char *s = xmalloc(f->len + 1);

	memcpy(s, f->s, f->len);
	s[f->len] = '\0';
	return s;
}

/**
 * parse_passwd_line() - split and check one /etc/passwd line
 * @line:	the line
 * @len:	its length
 * @f:		fields, PW_FIELDS of them; missing trailing ones are empty
 * @uid:	the uid field
 * @gid:	the gid field
 *
 * Return: true if the line is a well-formed entry.
 */
static bool parse_passwd_line(const char *line, size_t len, struct field *f, uint32_t *uid, uint32_t *gid)
{
	size_t n;

	if (!usable_line(line, len))
		return false;
	n = split_fields(line, len, f, PW_FIELDS);
	if (n < PW_MIN_FIELDS || n > PW_FIELDS || f[0].len == 0 || !passwd_parse_id(f[2].s, f[2].len, uid) ||
	    !passwd_parse_id(f[3].s, f[3].len, gid)) {
		sbx_debug("passwd: skipping malformed line `%.*s`", (int)(len > 80 ? 80 : len), line);
		return false;
	}
	return true;
}

/**
 * parse_group_line() - split and check one /etc/group line
 * @line:	the line
 * @len:	its length
 * @f:		fields, GR_FIELDS of them; a missing member list is empty
 * @gid:	the gid field
 *
 * Return: true if the line is a well-formed entry.
 */
static bool parse_group_line(const char *line, size_t len, struct field *f, uint32_t *gid)
{
	size_t n;

	if (!usable_line(line, len))
		return false;
	n = split_fields(line, len, f, GR_FIELDS);
	if (n < GR_MIN_FIELDS || n > GR_FIELDS || f[0].len == 0 || !passwd_parse_id(f[2].s, f[2].len, gid)) {
		sbx_debug("group: skipping malformed line `%.*s`", (int)(len > 80 ? 80 : len), line);
		return false;
	}
	return true;
}

/**
 * passwd_parse_user() - find a user in the text of an /etc/passwd file
 * @buf:	file contents
 * @len:	length of @buf
 * @name_or_uid: a user name, or a decimal uid (always taken as a uid)
 * @out:	the entry (free with passwd_entry_free())
 * @err:	error out-parameter
 *
 * The first matching line wins. A numeric uid without a line is not an
 * error (docker runs `-u 1234` as uid 1234, gid 0, home `/`).
 *
 * Return: 0, -ENOENT with *err set if no user has that name, or another
 * negative value for an invalid argument.
 */
int passwd_parse_user(const char *buf, size_t len, const char *name_or_uid, struct passwd_entry *out,
		      struct sbx_error **err)
{
	const char *pos = buf, *end = buf + len, *line;
	uint32_t want = 0, uid, gid;
	struct field f[PW_FIELDS];
	size_t llen;
	bool numeric;

	memset(out, 0, sizeof(*out));
	if (!name_or_uid || !*name_or_uid)
		return sbx_error_set(err, EINVAL, "empty user name");
	numeric = passwd_parse_id(name_or_uid, strlen(name_or_uid), &want);
	while (next_line(&pos, end, &line, &llen)) {
		if (!parse_passwd_line(line, llen, f, &uid, &gid))
			continue;
		if (numeric ? uid != want : !field_eq(&f[0], name_or_uid))
			continue;
		out->name = field_dup(&f[0]);
		out->uid = uid;
		out->gid = gid;
		out->home = f[5].len ? field_dup(&f[5]) : xstrdup("/");
		out->shell = f[6].len ? field_dup(&f[6]) : NULL;
		out->in_file = true;
		return 0;
	}
	if (!numeric) {
		sbx_error_set(err, 0, "unknown user `%s`", name_or_uid);
		return -ENOENT;
	}
	out->uid = want;
	out->gid = 0;
	out->home = xstrdup("/");
	return 0;
}

/**
 * passwd_parse_group() - find a group in the text of an /etc/group file
 * @buf:	file contents
 * @len:	length of @buf
 * @name_or_gid: a group name, or a decimal gid (always taken as a gid)
 * @out:	the entry (free with passwd_group_entry_free())
 * @err:	error out-parameter
 *
 * Return: 0 (also for a numeric gid without a line), -ENOENT with *err set
 * if no group has that name, or another negative value.
 */
int passwd_parse_group(const char *buf, size_t len, const char *name_or_gid, struct group_entry *out,
		       struct sbx_error **err)
{
	const char *pos = buf, *end = buf + len, *line;
	struct field f[GR_FIELDS];
	uint32_t want = 0, gid;
	size_t llen;
	bool numeric;

	memset(out, 0, sizeof(*out));
	if (!name_or_gid || !*name_or_gid)
		return sbx_error_set(err, EINVAL, "empty group name");
	numeric = passwd_parse_id(name_or_gid, strlen(name_or_gid), &want);
	while (next_line(&pos, end, &line, &llen)) {
		if (!parse_group_line(line, llen, f, &gid))
			continue;
		if (numeric ? gid != want : !field_eq(&f[0], name_or_gid))
			continue;
		out->name = field_dup(&f[0]);
		out->gid = gid;
		out->in_file = true;
		return 0;
	}
	if (!numeric) {
		sbx_error_set(err, 0, "unknown group `%s`", name_or_gid);
		return -ENOENT;
	}
	out->gid = want;
	return 0;
}

/**
 * member_of() - whether a comma-separated member list names @user
 * @members:	the fourth field of a group line
 * @user:	user name
 *
 * Return: true if @user is listed.
 */
static bool member_of(const struct field *members, const char *user)
{
	const char *p = members->s, *end = members->s + members->len;

	while (p < end) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		struct field m = {p, c ? (size_t)(c - p) : (size_t)(end - p)};

		if (field_eq(&m, user))
			return true;
		p = c ? c + 1 : end;
	}
	return false;
}

/**
 * passwd_parse_supplementary() - the groups whose member list names @user
 * @buf:	text of an /etc/group file
 * @len:	length of @buf
 * @user:	user name
 * @gids:	set to a malloc'd array in file order without duplicates
 *		(NULL when empty); the user's primary group is not added
 * @n:		number of entries in @gids
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int passwd_parse_supplementary(const char *buf, size_t len, const char *user, gid_t **gids, size_t *n,
			       struct sbx_error **err)
{
	const char *pos = buf, *end = buf + len, *line;
	cleanup_free gid_t *v = NULL;
	struct field f[GR_FIELDS];
	size_t cnt = 0, cap = 0, llen;
	uint32_t gid;

	*gids = NULL;
	*n = 0;
	if (!user || !*user)
		return sbx_error_set(err, EINVAL, "empty user name");
	while (next_line(&pos, end, &line, &llen)) {
		bool dup = false;

		if (!parse_group_line(line, llen, f, &gid) || !member_of(&f[3], user))
			continue;
		for (size_t i = 0; i < cnt && !dup; i++)
			dup = v[i] == gid;
		if (dup)
			continue;
		if (cnt == cap) {
			gid_t *nv;

			cap = cap ? cap * 2 : 8;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				return sbx_error_set(err, ENOMEM, "supplementary groups of `%s`", user);
			v = nv;
		}
		v[cnt++] = gid;
	}
	*gids = steal_pointer(&v);
	*n = cnt;
	return 0;
}

/**
 * passwd_resolve_spec_buf() - resolve `USER[:GROUP]` as docker's `-u` does
 * @passwd:	text of /etc/passwd (may be empty)
 * @passwd_len:	its length
 * @group:	text of /etc/group (may be empty)
 * @group_len:	its length
 * @spec:	`USER`, `USER:GROUP`, each a name or a decimal id
 * @out:	the credentials (free with passwd_creds_free())
 * @err:	error out-parameter
 *
 * USER sets uid, primary gid, home and shell from its passwd line (gid 0,
 * home `/` for a numeric uid without a line). An explicit GROUP replaces
 * the primary gid and, as in runc, leaves no supplementary groups;
 * otherwise the groups listing the user by name are supplementary.
 *
 * Return: 0, or negative with *err set (-ENOENT for an unknown name).
 */
int passwd_resolve_spec_buf(const char *passwd, size_t passwd_len, const char *group, size_t group_len,
			    const char *spec, struct passwd_creds *out, struct sbx_error **err)
{
	cleanup_free char *user = xstrdup(spec ? spec : "");
	struct passwd_entry pw = {0};
	struct group_entry gr = {0};
	char *grname = strchr(user, ':');
	int ret;

	memset(out, 0, sizeof(*out));
	if (grname)
		*grname++ = '\0';
	if (!*user || (grname && !*grname))
		return sbx_error_set(err, EINVAL, "invalid user `%s`: expected USER[:GROUP]",
				     spec ? spec : "");
	ret = passwd_parse_user(passwd, passwd_len, user, &pw, err);
	if (ret < 0)
		return ret;
	if (grname) {
		ret = passwd_parse_group(group, group_len, grname, &gr, err);
		if (ret < 0) {
			passwd_entry_free(&pw);
			return ret;
		}
		pw.gid = gr.gid;
		passwd_group_entry_free(&gr);
	} else if (pw.in_file) {
		ret =
		    passwd_parse_supplementary(group, group_len, pw.name, &out->groups, &out->n_groups, err);
		if (ret < 0) {
			passwd_entry_free(&pw);
			return ret;
		}
	}
	out->uid = pw.uid;
	out->gid = pw.gid;
	out->user = steal_pointer(&pw.name);
	out->home = steal_pointer(&pw.home);
	out->shell = steal_pointer(&pw.shell);
	return 0;
}

/**
 * passwd_read_file() - read a passwd or group file
 * @rootfd:	root filesystem descriptor (@path resolved inside it, never
 *		leaving it), or AT_FDCWD for the host's files
 * @path:	e.g. "/etc/passwd"
 * @buf:	set to the malloc'd contents, NUL-terminated
 * @len:	set to their length
 * @err:	error out-parameter
 *
 * A missing file reads as empty: numeric ids still resolve, as with docker
 * on images without /etc/passwd.
 *
 * Return: 0, or negative with *err set (not a regular file, larger than
 * PASSWD_MAX_FILE, I/O errors).
 */
int passwd_read_file(int rootfd, const char *path, char **buf, size_t *len, struct sbx_error **err)
{
	const int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	cleanup_error struct sbx_error *open_err = NULL;
	cleanup_close int fd = -1;
	struct stat st;

	*buf = NULL;
	*len = 0;
	if (rootfd == AT_FDCWD) {
		fd = open(path, flags);
		if (fd < 0 && errno != ENOENT)
			return sbx_error_set(err, errno, "open `%s`", path);
	} else {
		fd = safepath_open(rootfd, path, flags, &open_err);
		if (fd < 0 && (!open_err || open_err->errnum != ENOENT)) {
			int ret = open_err && open_err->errnum > 0 ? -open_err->errnum : -1;

			if (err) {
				sbx_error_free(*err);
				*err = steal_pointer(&open_err);
			}
			return ret;
		}
	}
	if (fd < 0) {
		sbx_debug("`%s` does not exist: reading it as empty", path);
		*buf = xstrdup("");
		return 0;
	}
	if (fstat(fd, &st) < 0)
		return sbx_error_set(err, errno, "stat `%s`", path);
	if (!S_ISREG(st.st_mode))
		return sbx_error_set(err, EINVAL, "`%s` is not a regular file", path);
	if (st.st_size > (off_t)PASSWD_MAX_FILE)
		return sbx_error_set(err, EFBIG, "read `%s`", path);
	return util_read_fd(fd, PASSWD_MAX_FILE, path, buf, len, err);
}

/**
 * passwd_lookup() - find a user in a passwd file
 * @rootfd:	root filesystem descriptor, or AT_FDCWD
 * @path:	the passwd file, e.g. "/etc/passwd"
 * @name_or_uid: user name, or a decimal uid
 * @out:	the entry (free with passwd_entry_free())
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set (-ENOENT for an unknown name).
 */
int passwd_lookup(int rootfd, const char *path, const char *name_or_uid, struct passwd_entry *out,
		  struct sbx_error **err)
{
	cleanup_free char *buf = NULL;
	size_t len;
	int ret;

	memset(out, 0, sizeof(*out));
	if (passwd_read_file(rootfd, path, &buf, &len, err) < 0)
		return -1;
	ret = passwd_parse_user(buf, len, name_or_uid, out, err);
	if (ret < 0)
		sbx_error_wrap(err, "`%s`", path);
	return ret;
}

/**
 * passwd_group_lookup() - find a group in a group file
 * @rootfd:	root filesystem descriptor, or AT_FDCWD
 * @path:	the group file, e.g. "/etc/group"
 * @name_or_gid: group name, or a decimal gid
 * @out:	the entry (free with passwd_group_entry_free())
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set (-ENOENT for an unknown name).
 */
int passwd_group_lookup(int rootfd, const char *path, const char *name_or_gid, struct group_entry *out,
			struct sbx_error **err)
{
	cleanup_free char *buf = NULL;
	size_t len;
	int ret;

	memset(out, 0, sizeof(*out));
	if (passwd_read_file(rootfd, path, &buf, &len, err) < 0)
		return -1;
	ret = passwd_parse_group(buf, len, name_or_gid, out, err);
	if (ret < 0)
		sbx_error_wrap(err, "`%s`", path);
	return ret;
}

/**
 * passwd_supplementary_lookup() - the groups of a group file listing @user
 * @rootfd:	root filesystem descriptor, or AT_FDCWD
 * @path:	the group file, e.g. "/etc/group"
 * @user:	user name
 * @gids:	set to a malloc'd array (NULL when empty)
 * @n:		its length
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int passwd_supplementary_lookup(int rootfd, const char *path, const char *user, gid_t **gids, size_t *n,
				struct sbx_error **err)
{
	cleanup_free char *buf = NULL;
	size_t len;
	int ret;

	*gids = NULL;
	*n = 0;
	if (passwd_read_file(rootfd, path, &buf, &len, err) < 0)
		return -1;
	ret = passwd_parse_supplementary(buf, len, user, gids, n, err);
	if (ret < 0)
		sbx_error_wrap(err, "`%s`", path);
	return ret;
}

/**
 * passwd_resolve_spec() - resolve `-u USER[:GROUP]` inside a root filesystem
 * @rootfd:	root filesystem descriptor, or AT_FDCWD for the host
 * @spec:	`USER[:GROUP]`
 * @out:	the credentials (free with passwd_creds_free())
 * @err:	error out-parameter
 *
 * Reads /etc/passwd and /etc/group below @rootfd; see
 * passwd_resolve_spec_buf() for the rules.
 *
 * Return: 0, or negative with *err set (-ENOENT for an unknown name).
 */
int passwd_resolve_spec(int rootfd, const char *spec, struct passwd_creds *out, struct sbx_error **err)
{
	cleanup_free char *pw = NULL, *gr = NULL;
	size_t pwlen, grlen;
	int ret;

	memset(out, 0, sizeof(*out));
	if (passwd_read_file(rootfd, "/etc/passwd", &pw, &pwlen, err) < 0 ||
	    passwd_read_file(rootfd, "/etc/group", &gr, &grlen, err) < 0)
		return sbx_error_wrap(err, "user `%s`", spec);
	ret = passwd_resolve_spec_buf(pw, pwlen, gr, grlen, spec, out, err);
	if (ret == -ENOENT)
		sbx_error_hint(err, "names must exist in the root filesystem's /etc/passwd and "
				    "/etc/group; numeric ids (`-u 1000:1000`) need no entry");
	return ret;
}

void passwd_entry_free(struct passwd_entry *e)
{
	free(e->name);
	free(e->home);
	free(e->shell);
	memset(e, 0, sizeof(*e));
}

void passwd_group_entry_free(struct group_entry *e)
{
	free(e->name);
	memset(e, 0, sizeof(*e));
}

void passwd_creds_free(struct passwd_creds *c)
{
	free(c->groups);
	free(c->user);
	free(c->home);
	free(c->shell);
	memset(c, 0, sizeof(*c));
}
