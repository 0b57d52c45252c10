// SPDX-License-Identifier: GPL-2.0-or-later
/* userns.c - uid/gid maps of the sandbox's user namespace
 *
 * Theory of operation
 *
 * 1. Before clone, the supervisor (in the caller's namespaces, with the
 *    caller's credentials) asks userns_plan_make() for a plan: it reads the
 *    host's /etc/passwd (our own reader: a static musl binary has no NSS),
 *    /etc/subuid and /etc/subgid, and finds newuidmap/newgidmap. Nothing is
 *    written and no process is started.
 * 2. The supervisor clones the child with CLONE_NEWUSER|...; the child
 *    blocks (on a pipe) until its maps exist, since before that it runs as
 *    the overflow uid 65534 with no mapping for anything it creates.
 * 3. userns_write_maps() writes the maps from the supervisor, which is in
 *    the parent user namespace and owns the child's (or, to overlap the
 *    ~2 ms the setuid helpers take with other work, userns_write_maps_start()
 *    then userns_write_maps_finish()):
 *    - with helpers, newuidmap and newgidmap run concurrently (posix_spawn:
 *      vfork-style, no copy of our address space), each writes one map
 *      after checking the ranges against /etc/subuid or /etc/subgid; they
 *      leave /proc/PID/setgroups at "allow" because subgid ranges are
 *      mapped (shadow >= 4.6), so the sandbox may call setgroups();
 *    - without helpers, an unprivileged process may only map its own
 *      effective uid and gid, one line each, and only after writing "deny"
 *      to /proc/PID/setgroups (CVE-2014-8989: dropping supplementary groups
 *      could otherwise gain access guarded by negative group permissions).
 *    Each map is written with a single write(2): the kernel accepts one
 *    write per map file, of less than a page.
 * 4. The child is released and runs as plan->run_uid/run_gid inside.
 *
 * Maps are computed by userns_plan_compute(), a pure function of the host
 * facts (unit-tested). Subordinate ranges are used in file order, minus any
 * overlap with earlier ranges or the caller's own id (the kernel rejects
 * overlapping outside ranges), with adjacent lines merged and the result
 * cut to what the kernel accepts: 340 lines (Linux >= 4.15) and less than
 * 4096 bytes of text per map.
 */
#include "userns.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "passwd.h"
#include "util.h"

/* A map write must be shorter than a page (map_write() in kernel/user_namespace.c). */
#define USERNS_MAX_MAP_BYTES 4095
/* Room for the lines of one map before the kernel's limits are applied. */
#define BUILD_MAX (2 * USERNS_MAX_LINES + 2)
/* How long the helpers may take before we kill them. */
#define HELPER_TIMEOUT_MS 10000
/* stderr kept per helper */
#define HELPER_OUTPUT_MAX 1024

/* File capabilities (linux/capability.h is invisible to musl-gcc). */
#define VFS_CAP_MIN_SIZE 12 /* magic_etc + one permitted/inheritable pair */
#define CAP_SETGID_BIT	 6
#define CAP_SETUID_BIT	 7

static const char *const helper_dirs[] = {"/usr/bin", "/usr/sbin", "/bin", "/sbin"};

/* ---- /etc/subuid ------------------------------------------------------ */

/**
 * parse_u32() - parse a decimal number that fits in 32 bits
 * @s:		digits, not NUL-terminated
 * @len:	their number
 * @out:	the value
 *
 * Return: true if @s is plain decimal and at most UINT32_MAX.
 */
static bool parse_u32(const char *s, size_t len, uint32_t *out)
{
	return util_parse_u32n(s, len, UINT32_MAX, out);
}

/* One well-formed line of /etc/subuid. */
struct subid_line {
	const char *owner;
	size_t owner_len;
	uint32_t start, count;
};

/**
 * subid_next() - the next well-formed line of /etc/subuid text
 * @pos:	cursor, advanced past the line
 * @end:	end of the text
 * @l:		the line found
 *
 * Lines are `OWNER:START:COUNT`. Blank lines and `#` comments are skipped,
 * as are malformed lines (debug log): wrong field count, non-decimal
 * numbers, COUNT 0, or START+COUNT beyond the 32-bit id space (the last id
 * must stay below 4294967295, the kernel's "no id").
 *
 * Return: false at the end of the text.
 */
static bool subid_next(const char **pos, const char *end, struct subid_line *l)
{
	while (*pos < end) {
		const char *nl = memchr(*pos, '\n', (size_t)(end - *pos));
		const char *line = *pos, *lend = nl ? nl : end;
		const char *c1, *c2, *c3;

		*pos = nl ? nl + 1 : end;
		while (line < lend && (*line == ' ' || *line == '\t'))
			line++;
		while (lend > line && (lend[-1] == ' ' || lend[-1] == '\t' || lend[-1] == '\r'))
			lend--;
		if (line == lend || *line == '#')
			continue;
		c1 = memchr(line, ':', (size_t)(lend - line));
		c2 = c1 ? memchr(c1 + 1, ':', (size_t)(lend - c1 - 1)) : NULL;
		c3 = c2 ? memchr(c2 + 1, ':', (size_t)(lend - c2 - 1)) : NULL;
		if (!c2 || c3 || c1 == line || memchr(line, '\0', (size_t)(lend - line)) ||
		    !parse_u32(c1 + 1, (size_t)(c2 - c1 - 1), &l->start) ||
		    !parse_u32(c2 + 1, (size_t)(lend - c2 - 1), &l->count) || l->count == 0 ||
		    (uint64_t)l->start + l->count > UINT32_MAX) {
			sbx_debug("subid: skipping malformed line `%.*s`",
				  (int)((lend - line) > 80 ? 80 : (lend - line)), line);
			continue;
		}
		l->owner = line;
		l->owner_len = (size_t)(c1 - line);
		return true;
	}
	return false;
}

/**
 * userns_subid_parse() - collect a user's ranges from /etc/subuid text
 * @buf:	contents of /etc/subuid or /etc/subgid (need not end in NUL)
 * @len:	length of @buf
 * @user:	the user's name, or NULL if unknown
 * @uid:	the user's uid: lines may name the owner by number instead
 * @out:	ranges found, in file order (outside = START, count = COUNT,
 *		inside = 0)
 * @max:	size of @out; further matching lines are ignored (debug log)
 * @n:		number of ranges stored
 * @err:	error out-parameter
 *
 * Lines of other users, comments, blank and malformed lines (see
 * subid_next()) are skipped.
 *
 * Return: 0, or negative with *err set for invalid arguments.
 */
int userns_subid_parse(const char *buf, size_t len, const char *user, uid_t uid, struct userns_range *out,
		       size_t max, size_t *n, struct sbx_error **err)
{
	const char *pos = buf, *end = buf + len;
	size_t ulen = user ? strlen(user) : 0;
	struct subid_line l;

	*n = 0;
	if ((!buf && len) || (!out && max))
		return sbx_error_set(err, EINVAL, "parse subordinate ids");
	while (subid_next(&pos, end, &l)) {
		uint32_t owner;

		if (!((user && ulen == l.owner_len && memcmp(l.owner, user, ulen) == 0) ||
		      (parse_u32(l.owner, l.owner_len, &owner) && owner == (uint32_t)uid)))
			continue;
		if (*n == max) {
			sbx_debug("subid: more than %zu ranges, ignoring %u:%u", max, l.start, l.count);
			continue;
		}
		out[(*n)++] = (struct userns_range){.inside = 0, .outside = l.start, .count = l.count};
	}
	return 0;
}

/**
 * userns_subid_first_free() - where a new 65536-id range could start
 * @buf:	contents of /etc/subuid or /etc/subgid
 * @len:	length of @buf
 *
 * For the hint when a user has no range: past every range of every user,
 * and at least 100000 (useradd's SUB_UID_MIN), so the suggested line
 * overlaps no one's.
 *
 * Return: the first id after all ranges, or 100000.
 */
uint32_t userns_subid_first_free(const char *buf, size_t len)
{
	const char *pos = buf, *end = buf + len;
	uint64_t first = 100000;
	struct subid_line l;

	while (buf && subid_next(&pos, end, &l))
		if ((uint64_t)l.start + l.count > first)
			first = (uint64_t)l.start + l.count;
	return first + 65536 > UINT32_MAX ? 100000 : (uint32_t)first;
}

/* ---- map computation --------------------------------------------------- */

/* A half-open interval of outside ids, 64-bit so that end never overflows. */
struct span {
	uint64_t start, end;
};

/**
 * subid_spans() - subordinate ranges minus overlaps and the caller's id
 * @sub:	ranges in file order
 * @n:		their number
 * @own:	the caller's own outside id, mapped by its own line
 * @out:	disjoint spans, in the order of the ranges they came from;
 *		a span adjacent to the previous one extends it
 * @max:	size of @out
 *
 * The kernel refuses maps whose outside ranges overlap; /etc/subuid often
 * lists the same range twice (by name and by uid), so every range keeps only
 * the ids no earlier range claimed.
 *
 * Return: number of spans stored.
 */
static size_t subid_spans(const struct userns_range *sub, size_t n, uint32_t own, struct span *out,
			  size_t max)
{
	cleanup_free struct span *stack = xcalloc(max + 4, sizeof(*stack));
	size_t cnt = 0;

	for (size_t i = 0; i < n; i++) {
		size_t sp = 0;

		stack[sp++] = (struct span){sub[i].outside, (uint64_t)sub[i].outside + sub[i].count};
		while (sp > 0) {
			struct span s = stack[--sp], hit = {0, 0};
			bool overlap = false;

			if (s.start >= s.end)
				continue;
			if (own >= s.start && own < s.end) {
				hit = (struct span){own, (uint64_t)own + 1};
				overlap = true;
			}
			for (size_t j = 0; j < cnt && !overlap; j++) {
				if (out[j].start < s.end && s.start < out[j].end) {
					hit = out[j];
					overlap = true;
				}
			}
			if (overlap) {
				/* right part first: the left one is popped (used) first */
				if (hit.end < s.end && sp < max + 4)
					stack[sp++] = (struct span){hit.end, s.end};
				if (s.start < hit.start && sp < max + 4)
					stack[sp++] = (struct span){s.start, hit.start};
				continue;
			}
			if (cnt > 0 && out[cnt - 1].end == s.start) {
				out[cnt - 1].end = s.end;
				continue;
			}
			if (cnt == max) {
				sbx_debug("userns: too many subordinate ranges, ignoring the rest");
				return cnt;
			}
			out[cnt++] = s;
		}
	}
	return cnt;
}

/**
 * map_add() - append a line to a map being built, merging with the last
 * @r:		lines, sorted by inside id
 * @n:		number of lines
 * @max:	capacity of @r
 * @inside:	first inside id
 * @outside:	first outside id
 * @count:	number of ids
 *
 * Return: false if the map is full.
 */
static bool map_add(struct userns_range *r, size_t *n, size_t max, uint32_t inside, uint32_t outside,
		    uint32_t count)
{
	if (*n > 0) {
		struct userns_range *l = &r[*n - 1];

		if ((uint64_t)l->inside + l->count == inside && (uint64_t)l->outside + l->count == outside) {
			l->count += count;
			return true;
		}
	}
	if (*n == max)
		return false;
	r[(*n)++] = (struct userns_range){inside, outside, count};
	return true;
}

static size_t digits(uint32_t v)
{
	size_t d = 1;

	while (v >= 10) {
		v /= 10;
		d++;
	}
	return d;
}

static size_t line_bytes(const struct userns_range *r)
{
	return digits(r->inside) + digits(r->outside) + digits(r->count) + 3;
}

/**
 * build_map() - one map: the caller's own id plus the subordinate ranges
 * @mode:	SBX_USERNS_AUTO (own id at 0) or SBX_USERNS_KEEP_ID (own id at
 *		itself, subordinate ids fill 0..own-1 and own+1..)
 * @own:	the caller's uid or gid
 * @sub:	subordinate ranges (outside ids), file order
 * @n_sub:	their number
 * @out:	the map, USERNS_MAX_LINES entries, sorted by inside id
 * @n_out:	number of lines
 *
 * Inside ids are handed out contiguously over the ranges in order. With
 * keep-id, ranges smaller than @own leave a gap below @own: the map covers
 * what fits. The result is cut (highest inside ids first, never the line
 * holding @own) to USERNS_MAX_LINES lines and USERNS_MAX_MAP_BYTES bytes.
 *
 * Return: number of subordinate ids mapped (0: no usable range).
 */
static uint64_t build_map(enum sbx_userns_mode mode, uint32_t own, const struct userns_range *sub,
			  size_t n_sub, struct userns_range *out, size_t *n_out)
{
	cleanup_free struct span *spans = xcalloc(BUILD_MAX, sizeof(*spans));
	cleanup_free struct userns_range *r = xcalloc(BUILD_MAX + 1, sizeof(*r));
	uint32_t own_inside = mode == SBX_USERNS_KEEP_ID ? own : 0;
	uint64_t next = mode == SBX_USERNS_KEEP_ID ? 0 : 1, mapped = 0, bytes = 0;
	size_t n_spans, n = 0, pos;
	bool full = false;

	n_spans = subid_spans(sub, n_sub, own, spans, BUILD_MAX);
	for (size_t i = 0; i < n_spans && !full; i++) {
		uint64_t s = spans[i].start, c = spans[i].end - spans[i].start;

		while (c > 0) {
			uint64_t take = c;

			if (next == own_inside && mode == SBX_USERNS_KEEP_ID)
				next++;
			if (next >= UINT32_MAX) /* inside ids end at 4294967294 */
				break;
			if (take > UINT32_MAX - next)
				take = UINT32_MAX - next;
			if (mode == SBX_USERNS_KEEP_ID && next < own_inside && next + take > own_inside)
				take = own_inside - next;
			if (!map_add(r, &n, BUILD_MAX - 1, (uint32_t)next, (uint32_t)s, (uint32_t)take)) {
				full = true;
				break;
			}
			mapped += take;
			next += take;
			s += take;
			c -= take;
		}
	}
	if (mapped == 0) {
		*n_out = 0;
		return 0;
	}

	/*
	 * The caller's own line goes in inside order but is never merged with
	 * a neighbour: newuidmap accepts "own id, count 1" or ranges within
	 * /etc/subuid, not a line that is part one and part the other.
	 */
	for (pos = 0; pos < n && r[pos].inside < own_inside; pos++)
		;
	memmove(&r[pos + 1], &r[pos], (n - pos) * sizeof(*r));
	r[pos] = (struct userns_range){own_inside, own, 1};
	n++;
	for (size_t i = 0; i < n; i++)
		bytes += line_bytes(&r[i]);
	while (n > USERNS_MAX_LINES || bytes > USERNS_MAX_MAP_BYTES) {
		/* highest inside ids go first; the caller's own line stays */
		size_t drop = n - 1 == pos ? n - 2 : n - 1;

		bytes -= line_bytes(&r[drop]);
		mapped -= r[drop].count;
		memmove(&r[drop], &r[drop + 1], (n - drop - 1) * sizeof(*r));
		if (drop < pos)
			pos--;
		n--;
		full = true;
	}
	if (full)
		sbx_debug("userns: map cut to %zu lines (kernel limits)", n);
	memcpy(out, r, n * sizeof(*r));
	*n_out = n;
	return mapped;
}

static char *join(char *a, const char *b)
{
	char *s;

	if (!a)
		return xstrdup(b);
	s = xasprintf("%s; %s", a, b);
	free(a);
	return s;
}

/**
 * userns_plan_compute() - compute the maps for a mode from the host's facts
 * @mode:	--userns mode
 * @host:	caller's ids, name, subordinate ranges and usable helpers
 * @p:		the plan (free with userns_plan_free())
 * @err:	error out-parameter
 *
 * auto: 0 -> caller, 1.. -> the subordinate ranges. keep-id: caller's id ->
 * itself, the subordinate ids fill 0.. around it (podman's keep-id). single:
 * 0 -> caller. auto and keep-id fall back to the single-ID map of their mode
 * (0 -> caller, or caller -> caller) when a helper is missing or either file
 * has no usable range: p->fallback_reason says why and p->fallback_hint how
 * to fix it.
 *
 * Return: 0, or negative with *err set.
 */
int userns_plan_compute(enum sbx_userns_mode mode, const struct userns_host *host, struct userns_plan *p,
			struct sbx_error **err)
{
	cleanup_free char *who = NULL, *owner = NULL;
	char *reason = NULL, *hint = NULL;

	memset(p, 0, sizeof(*p));
	if (mode != SBX_USERNS_AUTO && mode != SBX_USERNS_KEEP_ID && mode != SBX_USERNS_SINGLE)
		return sbx_error_set(err, EINVAL, "unknown user namespace mode %d", (int)mode);
	if ((uint32_t)host->uid == UINT32_MAX || (uint32_t)host->gid == UINT32_MAX)
		return sbx_error_set(err, EINVAL, "invalid host uid/gid");
	p->mode = mode;
	p->host_uid = host->uid;
	p->host_gid = host->gid;
	p->run_uid = mode == SBX_USERNS_KEEP_ID ? host->uid : 0;
	p->run_gid = mode == SBX_USERNS_KEEP_ID ? host->gid : 0;
	p->user = host->user ? xstrdup(host->user) : NULL;

	if (mode != SBX_USERNS_SINGLE) {
		uint64_t n_subuid, n_subgid;

		n_subuid =
		    build_map(mode, (uint32_t)host->uid, host->subuid, host->n_subuid, p->uid, &p->n_uid);
		n_subgid =
		    build_map(mode, (uint32_t)host->gid, host->subgid, host->n_subgid, p->gid, &p->n_gid);
		who = host->user ? xasprintf("`%s` (uid %u)", host->user, (unsigned)host->uid)
				 : xasprintf("uid %u", (unsigned)host->uid);
		owner = host->user ? xstrdup(host->user) : xasprintf("%u", (unsigned)host->uid);
		if (n_subuid == 0) {
			cleanup_free char *r = xasprintf("no /etc/subuid range for %s", who);

			reason = join(reason, r);
		}
		if (n_subgid == 0) {
			cleanup_free char *r = xasprintf("no /etc/subgid range for %s", who);

			reason = join(reason, r);
		}
		if (n_subuid == 0 || n_subgid == 0) {
			uint32_t fu = host->free_subuid ? host->free_subuid : 100000;
			uint32_t fg = host->free_subgid ? host->free_subgid : 100000;
			cleanup_free char *ru = xasprintf("--add-subuids %u-%u", fu, fu + 65535);
			cleanup_free char *rg = xasprintf("--add-subgids %u-%u", fg, fg + 65535);
			cleanup_free char *h = NULL;

			if (host->user)
				h = xasprintf("as root: usermod %s%s%s %s", n_subuid ? "" : ru,
					      n_subuid || n_subgid ? "" : " ", n_subgid ? "" : rg,
					      host->user);
			else if (n_subuid == 0 && n_subgid == 0)
				h = xasprintf("as root: add `%s:%u:65536` to /etc/subuid and "
					      "`%s:%u:65536` to /etc/subgid",
					      owner, fu, owner, fg);
			else
				h = xasprintf("as root: add `%s:%u:65536` to %s", owner, n_subuid ? fg : fu,
					      n_subuid ? "/etc/subgid" : "/etc/subuid");
			hint = join(hint, h);
		}
		if (!host->newuidmap || !host->newgidmap) {
			reason = join(reason, host->helper_problem ? host->helper_problem
					      : !host->newuidmap   ? "newuidmap not found"
								   : "newgidmap not found");
			hint = join(hint, "install newuidmap and newgidmap setuid root "
					  "(Debian/Ubuntu: apt install uidmap; Fedora: dnf "
					  "install shadow-utils)");
		}
	}
	if (mode == SBX_USERNS_SINGLE || reason) {
		p->uid[0] = (struct userns_range){(uint32_t)p->run_uid, (uint32_t)host->uid, 1};
		p->gid[0] = (struct userns_range){(uint32_t)p->run_gid, (uint32_t)host->gid, 1};
		p->n_uid = p->n_gid = 1;
		p->fallback_reason = reason;
		p->fallback_hint = hint;
		return 0;
	}
	p->use_helpers = true;
	p->newuidmap = xstrdup(host->newuidmap);
	p->newgidmap = xstrdup(host->newgidmap);
	return 0;
}

/* ---- helpers and the plan --------------------------------------------- */

/**
 * has_file_cap() - whether a file carries a file capability in its
 *		    permitted set
 * @path:	the file
 * @bit:	capability number (below 32)
 *
 * Return: true if security.capability grants @bit.
 */
static bool has_file_cap(const char *path, unsigned int bit)
{
	unsigned char buf[32];
	uint32_t permitted;
	ssize_t n = getxattr(path, "security.capability", buf, sizeof(buf));

	if (n < VFS_CAP_MIN_SIZE)
		return false;
	memcpy(&permitted, buf + 4, sizeof(permitted));
	return (le32toh(permitted) >> bit) & 1;
}

/**
 * check_helper() - whether @path is a newuidmap/newgidmap we can use
 * @path:	candidate
 * @bit:	file capability that would make it work (CAP_SETUID/CAP_SETGID)
 * @fault:	set to why not, if it exists but is unusable (else untouched)
 *
 * Return: 1 usable, 0 absent, -1 present but unusable.
 */
static int check_helper(const char *path, unsigned int bit, enum userns_helper_fault *fault)
{
	struct statvfs sv;
	struct stat st;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	if (!(((st.st_mode & S_ISUID) && st.st_uid == 0) || has_file_cap(path, bit))) {
		*fault = USERNS_HELPER_UNPRIVILEGED;
		return -1;
	}
	if (access(path, X_OK) < 0) {
		*fault = USERNS_HELPER_NOT_EXECUTABLE;
		return -1;
	}
	if (statvfs(path, &sv) == 0 && (sv.f_flag & ST_NOSUID)) {
		*fault = USERNS_HELPER_NOSUID_MOUNT;
		return -1;
	}
	return 1;
}

/**
 * try_helper_dir() - check one directory for a helper
 * @dir:	absolute directory
 * @name:	helper name
 * @bit:	file capability that would make it work
 * @path:	set to the candidate's path if usable
 * @problem:	set to the first unusable candidate and why
 *
 * Return: true if @path was set.
 */
static bool try_helper_dir(const char *dir, const char *name, unsigned int bit, char **path,
			   struct userns_helper_problem *problem)
{
	char *cand = xasprintf("%s/%s", dir, name);
	enum userns_helper_fault fault = USERNS_HELPER_ABSENT;

	if (check_helper(cand, bit, &fault) > 0) {
		*path = cand;
		return true;
	}
	if (fault != USERNS_HELPER_ABSENT && !problem->candidate) {
		problem->fault = fault;
		problem->candidate = cand;
	} else {
		free(cand);
	}
	return false;
}

/**
 * helper_problem_text() - a helper's problem in words
 * @name:	"newuidmap" or "newgidmap"
 * @problem:	the problem
 *
 * Return: the text (malloc'd).
 */
static char *helper_problem_text(const char *name, const struct userns_helper_problem *problem)
{
	switch (problem->fault) {
	case USERNS_HELPER_UNPRIVILEGED:
		return xasprintf("`%s` is neither setuid root nor has file capabilities", problem->candidate);
	case USERNS_HELPER_NOT_EXECUTABLE:
		return xasprintf("`%s` is not executable for you", problem->candidate);
	case USERNS_HELPER_NOSUID_MOUNT:
		return xasprintf("`%s` is on a filesystem mounted nosuid", problem->candidate);
	case USERNS_HELPER_ABSENT: break;
	}
	return xasprintf("%s not found", name);
}

/**
 * userns_find_helper() - find newuidmap or newgidmap
 * @name:	"newuidmap" or "newgidmap"
 * @path:	set to its absolute path (malloc'd), NULL if none is usable
 * @problem:	filled with why none is usable (free with
 *		userns_helper_problem_free()), all zero if one is
 *
 * Searches the absolute directories of $PATH, then /usr/bin, /usr/sbin,
 * /bin and /sbin. A candidate must be setuid root or carry CAP_SETUID
 * (CAP_SETGID for newgidmap) as a file capability, be executable, and not
 * sit on a nosuid mount; an unusable one does not stop the search.
 *
 * Return: 0 if found, -1 otherwise.
 */
int userns_find_helper(const char *name, char **path, struct userns_helper_problem *problem)
{
	unsigned int bit = strcmp(name, "newgidmap") == 0 ? CAP_SETGID_BIT : CAP_SETUID_BIT;
	cleanup_free char *env = xstrdup(getenv("PATH") ? getenv("PATH") : "");
	char *save = NULL;

	*path = NULL;
	*problem = (struct userns_helper_problem){0};
	for (char *dir = strtok_r(env, ":", &save); dir; dir = strtok_r(NULL, ":", &save))
		if (dir[0] == '/' && try_helper_dir(dir, name, bit, path, problem))
			goto found;
	for (size_t i = 0; i < ARRAY_SIZE(helper_dirs); i++)
		if (try_helper_dir(helper_dirs[i], name, bit, path, problem))
			goto found;
	problem->text = helper_problem_text(name, problem);
	return -1;
found:
	userns_helper_problem_free(problem);
	return 0;
}

/**
 * userns_helper_problem_free() - free what userns_find_helper() filled
 * @problem:	the problem; left all zero
 */
void userns_helper_problem_free(struct userns_helper_problem *problem)
{
	free(problem->candidate);
	free(problem->text);
	*problem = (struct userns_helper_problem){0};
}

/**
 * read_subid_file() - the caller's ranges from /etc/subuid or /etc/subgid
 * @path:	the file
 * @h:		caller's name and uid
 * @out:	ranges, USERNS_MAX_SUBID entries
 * @n:		number found
 * @first_free: where a new range would overlap no one's (for hints)
 *
 * A missing file has no ranges; an unreadable one neither, with a warning:
 * the sandbox still runs, with a single-ID map.
 */
static void read_subid_file(const char *path, const struct userns_host *h, struct userns_range *out,
			    size_t *n, uint32_t *first_free)
{
	cleanup_error struct sbx_error *e = NULL;
	cleanup_free char *buf = NULL;
	size_t len;

	*n = 0;
	*first_free = 0;
	if (passwd_read_file(AT_FDCWD, path, &buf, &len, &e) < 0) {
		sbx_warn("%s", e ? e->msg : path);
		return;
	}
	userns_subid_parse(buf, len, h->user, h->uid, out, USERNS_MAX_SUBID, n, NULL);
	*first_free = userns_subid_first_free(buf, len);
}

/**
 * userns_plan_make() - the plan for this caller on this host
 * @mode:	--userns mode
 * @p:		the plan (free with userns_plan_free())
 * @err:	error out-parameter
 *
 * Reads the host's /etc/passwd (the caller's name: by uid; $USER or
 * $LOGNAME stand in for users only known through NSS, e.g. LDAP, since the
 * helpers verify the ranges themselves), /etc/subuid and /etc/subgid, and
 * looks for the helpers. Single mode touches no file.
 *
 * Return: 0 (also after a fallback, see p->fallback_reason), or negative
 * with *err set.
 */
int userns_plan_make(enum sbx_userns_mode mode, struct userns_plan *p, struct sbx_error **err)
{
	cleanup_free struct userns_range *subuid = NULL, *subgid = NULL;
	cleanup_free char *newuidmap = NULL, *newgidmap = NULL;
	struct userns_helper_problem uid_problem = {0}, gid_problem = {0};
	struct userns_host h = {.uid = geteuid(), .gid = getegid()};
	struct passwd_entry pw = {0};
	char uidstr[16];
	int ret;

	if (mode == SBX_USERNS_SINGLE)
		return userns_plan_compute(mode, &h, p, err);

	snprintf(uidstr, sizeof(uidstr), "%u", (unsigned)h.uid);
	if (passwd_lookup(AT_FDCWD, "/etc/passwd", uidstr, &pw, NULL) == 0 && pw.in_file) {
		h.user = pw.name;
	} else {
		const char *env = getenv("USER") ? getenv("USER") : getenv("LOGNAME");

		if (env && *env && !strchr(env, ':') && !strchr(env, '\n')) {
			sbx_debug("uid %u is not in /etc/passwd: trying subordinate ranges of `%s`",
				  (unsigned)h.uid, env);
			h.user = env;
		}
	}

	subuid = xcalloc(USERNS_MAX_SUBID, sizeof(*subuid));
	subgid = xcalloc(USERNS_MAX_SUBID, sizeof(*subgid));
	read_subid_file("/etc/subuid", &h, subuid, &h.n_subuid, &h.free_subuid);
	read_subid_file("/etc/subgid", &h, subgid, &h.n_subgid, &h.free_subgid);
	h.subuid = subuid;
	h.subgid = subgid;

	userns_find_helper("newuidmap", &newuidmap, &uid_problem);
	userns_find_helper("newgidmap", &newgidmap, &gid_problem);
	h.newuidmap = newuidmap;
	h.newgidmap = newgidmap;
	h.helper_problem = uid_problem.text ? uid_problem.text : gid_problem.text;

	ret = userns_plan_compute(mode, &h, p, err);
	userns_helper_problem_free(&uid_problem);
	userns_helper_problem_free(&gid_problem);
	passwd_entry_free(&pw);
	return ret;
}

/**
 * userns_plan_free() - free what a plan owns
 * @p:		the plan
 */
void userns_plan_free(struct userns_plan *p)
{
	free(p->newuidmap);
	free(p->newgidmap);
	free(p->user);
	free(p->fallback_reason);
	free(p->fallback_hint);
	p->newuidmap = p->newgidmap = p->user = p->fallback_reason = p->fallback_hint = NULL;
}

/* ---- queries ----------------------------------------------------------- */

static bool map_covers(const struct userns_range *r, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (id >= r[i].inside && id - r[i].inside < r[i].count)
			return true;
	return false;
}

/**
 * userns_uid_mapped() - whether a uid exists inside the sandbox
 * @p:		the plan
 * @inside:	uid inside
 *
 * Return: true if the uid map covers @inside.
 */
bool userns_uid_mapped(const struct userns_plan *p, uid_t inside)
{
	return map_covers(p->uid, p->n_uid, (uint32_t)inside);
}

/**
 * userns_gid_mapped() - whether a gid exists inside the sandbox (e.g. 5,
 *			 tty, for devpts' gid= option)
 * @p:		the plan
 * @inside:	gid inside
 *
 * Return: true if the gid map covers @inside.
 */
bool userns_gid_mapped(const struct userns_plan *p, gid_t inside)
{
	return map_covers(p->gid, p->n_gid, (uint32_t)inside);
}

/**
 * userns_count() - number of ids a map covers
 * @r:		map lines
 * @n:		their number
 *
 * Return: the sum of the counts.
 */
uint64_t userns_count(const struct userns_range *r, size_t n)
{
	uint64_t total = 0;

	for (size_t i = 0; i < n; i++)
		total += r[i].count;
	return total;
}

/**
 * userns_can_setgroups() - whether setgroups(2) works inside
 * @p:		the plan
 *
 * Without helpers /proc/PID/setgroups is "deny"; newgidmap leaves it at
 * "allow" when it maps subordinate gids, which our helper plans always do.
 *
 * Return: true if the sandbox may call setgroups().
 */
bool userns_can_setgroups(const struct userns_plan *p)
{
	return p->use_helpers;
}

/**
 * userns_kept_groups() - how many supplementary groups of the caller's the
 *			  sandbox keeps
 * @p:		the plan
 *
 * Without the helpers setgroups() is denied in the sandbox (the kernel's
 * condition for an unprivileged gid_map), so its processes keep the
 * caller's supplementary groups, unmapped inside but still counted by
 * permission checks on the host's files: a root:GROUP 0660 socket under a
 * read-only /var (lxd, docker, libvirt) takes connect() from inside.
 *
 * Return: the number of groups other than the caller's primary one that
 * the sandbox keeps; 0 when it drops them.
 */
int userns_kept_groups(const struct userns_plan *p)
{
	cleanup_free gid_t *groups = NULL;
	int n, kept = 0;

	if (userns_can_setgroups(p))
		return 0;
	n = getgroups(0, NULL);
	if (n <= 0)
		return 0;
	groups = xcalloc((size_t)n, sizeof(*groups));
	n = getgroups(n, groups);
	for (int i = 0; i < n; i++)
		kept += groups[i] != p->host_gid;
	return kept;
}

/**
 * userns_format_map() - the text of a uid_map/gid_map
 * @r:		map lines
 * @n:		their number
 * @buf:	destination, NUL-terminated
 * @size:	size of @buf
 *
 * Return: length of the text, or -1 if @buf is too small.
 */
int userns_format_map(const struct userns_range *r, size_t n, char *buf, size_t size)
{
	size_t len = 0;

	if (size == 0)
		return -1;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + len, size - len, "%u %u %u\n", r[i].inside, r[i].outside, r[i].count);

		if (w < 0 || (size_t)w >= size - len)
			return -1;
		len += (size_t)w;
	}
	return (int)len;
}

/* ---- writing the maps --------------------------------------------------- */

static bool sysctl_is(const char *path, const char *value)
{
	char buf[32];

	return util_read_small(path, buf, sizeof(buf)) >= 0 && strcmp(buf, value) == 0;
}

/**
 * write_proc_file() - write a /proc/PID file in a single write(2)
 * @dirfd:	/proc/PID
 * @pid:	for messages
 * @name:	"setgroups", "uid_map" or "gid_map"
 * @data:	text
 * @len:	its length
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int write_proc_file(int dirfd, pid_t pid, const char *name, const char *data, size_t len,
			   struct sbx_error **err)
{
	cleanup_close int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC);
	ssize_t w;

	if (fd < 0)
		return sbx_error_set(err, errno, "open `/proc/%d/%s`", (int)pid, name);
	do
		w = write(fd, data, len);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return sbx_error_set(err, errno, "write `/proc/%d/%s`", (int)pid, name);
	if ((size_t)w != len)
		return sbx_error_set(err, EIO, "write `/proc/%d/%s`: short write", (int)pid, name);
	return 0;
}

/**
 * write_maps_direct() - single-ID maps, written by ourselves
 * @child:	the child in the new user namespace
 * @p:		the plan
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int write_maps_direct(pid_t child, const struct userns_plan *p, struct sbx_error **err)
{
	char path[32], buf[USERNS_MAX_MAP_BYTES + 1];
	cleanup_close int dirfd = -1;
	int len, ret;

	snprintf(path, sizeof(path), "/proc/%d", (int)child);
	dirfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return sbx_error_set(err, errno, "open `%s`", path);
	/* setgroups appeared in 3.19; before it gid_map needed no "deny" */
	ret = write_proc_file(dirfd, child, "setgroups", "deny", 4, err);
	if (ret < 0 && ret != -ENOENT)
		return ret;
	len = userns_format_map(p->uid, p->n_uid, buf, sizeof(buf));
	if (len < 0)
		return sbx_error_set(err, E2BIG, "uid map of %zu lines", p->n_uid);
	ret = write_proc_file(dirfd, child, "uid_map", buf, (size_t)len, err);
	if (ret == 0) {
		len = userns_format_map(p->gid, p->n_gid, buf, sizeof(buf));
		if (len < 0)
			return sbx_error_set(err, E2BIG, "gid map of %zu lines", p->n_gid);
		ret = write_proc_file(dirfd, child, "gid_map", buf, (size_t)len, err);
	}
	if (ret == -EPERM) {
		if (sysctl_is("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1"))
			sbx_error_hint(err, "AppArmor restricts unprivileged user namespaces "
					    "(kernel.apparmor_restrict_unprivileged_userns = 1): as "
					    "root: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0");
	}
	return ret;
}

/* A running helper. */
struct helper {
	const char *path;
	const char *what; /* "uid" or "gid" */
	const char *file; /* "/etc/subuid" */
	const struct userns_range *map;
	size_t n_map;
	pid_t pid;
	int out; /* read end of its stdout+stderr */
	char text[HELPER_OUTPUT_MAX];
	size_t len;
	int status;
};

/**
 * helper_spawn() - start newuidmap/newgidmap for @child
 * @h:		the helper; pid and out are set
 * @child:	target process
 * @err:	error out-parameter
 *
 * Arguments are `PID INSIDE OUTSIDE COUNT...`. Its stdout and stderr go to
 * a pipe whose read end (O_CLOEXEC) we keep; the environment is just
 * LC_ALL=C, so that its messages are the ones we recognise.
 *
 * Return: 0, or negative with *err set.
 */
static int helper_spawn(struct helper *h, pid_t child, struct sbx_error **err)
{
	static char *const envp[] = {"LC_ALL=C", NULL};
	cleanup_free char *args = xmalloc(16 + h->n_map * 33);
	cleanup_free char **argv = xcalloc(3 + 3 * h->n_map, sizeof(char *));
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int pipefd[2], r;
	size_t off = 0, k = 0;
	sigset_t none;

	argv[k++] = (char *)util_basename(h->path);
	argv[k++] = args;
	off += (size_t)sprintf(args, "%d", (int)child) + 1;
	for (size_t i = 0; i < h->n_map; i++) {
		const uint32_t v[3] = {h->map[i].inside, h->map[i].outside, h->map[i].count};

		for (int j = 0; j < 3; j++) {
			argv[k++] = args + off;
			off += (size_t)sprintf(args + off, "%u", v[j]) + 1;
		}
	}
	argv[k] = NULL;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return sbx_error_set(err, errno, "pipe");
	sigemptyset(&none);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
	r = posix_spawn(&h->pid, h->path, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(pipefd[1]);
	if (r != 0) {
		close(pipefd[0]);
		h->pid = 0;
		return sbx_error_set(err, r, "run `%s`", h->path);
	}
	h->out = pipefd[0];
	return 0;
}

/**
 * helpers_wait() - collect the helpers' output until both exit, then reap
 * @h:		the two helpers (pid 0: not running)
 * @err:	error out-parameter
 *
 * Return: 0 when both were reaped (status in h[i].status), or negative
 * with *err set (poll failure, timeout); the caller's cleanup kills then.
 */
static int helpers_wait(struct helper h[2], struct sbx_error **err)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd pfd[2];
		nfds_t n = 0;
		long elapsed;
		int r;

		for (int i = 0; i < 2; i++)
			if (h[i].out >= 0)
				pfd[n++] = (struct pollfd){.fd = h[i].out, .events = POLLIN};
		if (n == 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (elapsed >= HELPER_TIMEOUT_MS)
			return sbx_error_set(err, ETIMEDOUT, "wait for `%s` and `%s`", h[0].path, h[1].path);
		r = poll(pfd, n, (int)(HELPER_TIMEOUT_MS - elapsed));
		if (r < 0 && errno != EINTR)
			return sbx_error_set(err, errno, "poll");
		for (nfds_t j = 0; r > 0 && j < n; j++) {
			struct helper *x = h[0].out == pfd[j].fd ? &h[0] : &h[1];
			char tmp[512];
			ssize_t got;

			if (!pfd[j].revents)
				continue;
			got = read(x->out, tmp, sizeof(tmp));
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0) {
				close(x->out);
				x->out = -1;
				continue;
			}
			if (x->len < sizeof(x->text) - 1) {
				size_t c = (size_t)got;

				if (c > sizeof(x->text) - 1 - x->len)
					c = sizeof(x->text) - 1 - x->len;
				memcpy(x->text + x->len, tmp, c);
				x->len += c;
			}
		}
	}
	for (int i = 0; i < 2; i++) {
		if (h[i].pid <= 0)
			continue;
		while (waitpid(h[i].pid, &h[i].status, 0) < 0) {
			if (errno != EINTR)
				return sbx_error_set(err, errno, "wait for `%s`", h[i].path);
		}
		h[i].pid = 0;
	}
	return 0;
}

/**
 * helper_error() - turn a failed helper into one error with a hint
 * @h:		the helper
 * @p:		the plan
 * @child:	target process
 * @err:	error out-parameter
 *
 * Return: negative, with *err set.
 */
static int helper_error(struct helper *h, const struct userns_plan *p, pid_t child, struct sbx_error **err)
{
	cleanup_free char *status = NULL, *owner = NULL;
	const char *line = h->text;
	unsigned long a, b, s = 0, e = 0;
	size_t ll;
	int ret;

	h->text[h->len] = '\0';
	while (*line == '\n')
		line++;
	ll = strcspn(line, "\n");
	if (WIFEXITED(h->status))
		status = xasprintf("exit status %d", WEXITSTATUS(h->status));
	else
		status = xasprintf("killed by signal %d", WTERMSIG(h->status));
	ret = sbx_error_set(err, 0, "write %s map of process %d with `%s`: %s%s%.*s", h->what, (int)child,
			    h->path, status, ll ? ": " : "", (int)ll, line);

	owner = p->user ? xstrdup(p->user) : xasprintf("%u", (unsigned)p->host_uid);
	if (strstr(line, "write to") && strstr(line, "Operation not permitted")) {
		sbx_error_hint(err,
			       "`%s` must be setuid root (as root: chmod u+s `%s`), on a "
			       "filesystem mounted without nosuid",
			       h->path, h->path);
		return ret;
	}
	if (strstr(line, "proc directory") || strstr(line, "different user"))
		return ret; /* the child is gone or not ours: no configuration issue */
	/* shadow: "uid range [1-65537) -> [200000-265536) not allowed" */
	if (sscanf(line, "%*[^[][%lu-%lu) -> [%lu-%lu)", &a, &b, &s, &e) != 4 || e <= s) {
		s = e = 0;
		for (size_t i = 0; i < h->n_map; i++) {
			if (h->map[i].outside == (h->what[0] == 'u' ? p->host_uid : p->host_gid) &&
			    h->map[i].count == 1)
				continue;
			s = h->map[i].outside;
			e = s + h->map[i].count;
			break;
		}
	}
	if (e > s)
		sbx_error_hint(err, "add `%s:%lu:%lu` to %s (as root: usermod --add-sub%cids %lu-%lu %s)",
			       owner, s, e - s, h->file, h->what[0], s, e - 1, owner);
	return ret;
}

/* Map writing in progress: the helpers started by userns_write_maps_start(). */
struct userns_maps_job {
	struct helper h[2];
	const struct userns_plan *plan;
	pid_t child;
};

/**
 * userns_write_maps_cancel() - kill and reap the helpers of a job, free it
 * @job:	from userns_write_maps_start(), or NULL
 *
 * For the error path between start and finish.
 */
void userns_write_maps_cancel(struct userns_maps_job *job)
{
	if (!job)
		return;
	for (int i = 0; i < 2; i++) {
		util_closep(&job->h[i].out);
		util_kill_pidp(&job->h[i].pid);
	}
	free(job);
}

static void job_cleanup(struct userns_maps_job **job)
{
	userns_write_maps_cancel(*job);
	*job = NULL;
}

/**
 * userns_write_maps_start() - begin writing the uid and gid maps of @child
 * @child:	a child just cloned with CLONE_NEWUSER, waiting for its maps
 * @p:		the plan; must stay valid until finish or cancel
 * @job:	set to the work in progress (NULL when nothing is pending)
 * @err:	error out-parameter
 *
 * With helpers, starts newuidmap and newgidmap (concurrently) and returns:
 * the supervisor may do other work while they run, which is most of the
 * cost of a start-up with a full map (each is a setuid exec). Without
 * helpers, writes "deny" to /proc/PID/setgroups and the single-line maps
 * right away (tens of microseconds).
 *
 * Return: 0, or negative with *err set (then *job is NULL).
 */
int userns_write_maps_start(pid_t child, const struct userns_plan *p, struct userns_maps_job **job,
			    struct sbx_error **err)
{
	__attribute__((cleanup(job_cleanup))) struct userns_maps_job *j = NULL;
	int ret;

	*job = NULL;
	if (p->n_uid == 0 || p->n_gid == 0)
		return sbx_error_set(err, EINVAL, "empty user namespace plan");
	if (!p->use_helpers)
		return write_maps_direct(child, p, err);
	j = xcalloc(1, sizeof(*j));
	j->plan = p;
	j->child = child;
	j->h[0] = (struct helper){.path = p->newuidmap,
				  .what = "uid",
				  .file = "/etc/subuid",
				  .map = p->uid,
				  .n_map = p->n_uid,
				  .out = -1};
	j->h[1] = (struct helper){.path = p->newgidmap,
				  .what = "gid",
				  .file = "/etc/subgid",
				  .map = p->gid,
				  .n_map = p->n_gid,
				  .out = -1};
	ret = helper_spawn(&j->h[0], child, err);
	if (ret < 0)
		return ret;
	ret = helper_spawn(&j->h[1], child, err);
	if (ret < 0)
		return ret;
	*job = steal_pointer(&j);
	return 0;
}

/**
 * userns_write_maps_finish() - wait for the helpers of a job, free it
 * @job:	from userns_write_maps_start(), or NULL (nothing pending)
 * @err:	error out-parameter
 *
 * On failure the error names the helper, its exit status and its first
 * line of output, with a hint naming the /etc/subuid or /etc/subgid line
 * that would fix it. The caller must not ignore SIGCHLD or reap other
 * children with waitpid(-1) meanwhile (the helpers are reaped here).
 *
 * Return: 0 when both maps are written, or negative with *err set.
 */
int userns_write_maps_finish(struct userns_maps_job *job, struct sbx_error **err)
{
	__attribute__((cleanup(job_cleanup))) struct userns_maps_job *j = job;
	int ret;

	if (!j)
		return 0;
	ret = helpers_wait(j->h, err);
	if (ret < 0)
		return ret;
	for (int i = 0; i < 2; i++)
		if (!WIFEXITED(j->h[i].status) || WEXITSTATUS(j->h[i].status) != 0)
			return helper_error(&j->h[i], j->plan, j->child, err);
	return 0;
}

/**
 * userns_write_maps() - write the uid and gid maps of @child
 * @child:	a child just cloned with CLONE_NEWUSER, waiting for its maps
 * @p:		the plan from userns_plan_make()
 * @err:	error out-parameter
 *
 * userns_write_maps_start() and userns_write_maps_finish() in one call.
 *
 * Return: 0, or negative with *err set.
 */
int userns_write_maps(pid_t child, const struct userns_plan *p, struct sbx_error **err)
{
	struct userns_maps_job *job;
	int ret = userns_write_maps_start(child, p, &job, err);

	if (ret < 0)
		return ret;
	return userns_write_maps_finish(job, err);
}

/**
 * userns_explain_clone_failure() - say which knob keeps us from creating a
 *				    user namespace
 * @errnum:	errno of clone(CLONE_NEWUSER) or unshare(CLONE_NEWUSER)
 * @err:	set to the explanation, with a fix as hint where one exists
 *
 * Return: -@errnum (or -1), always with *err set.
 */
int userns_explain_clone_failure(int errnum, struct sbx_error **err)
{
	char max[32] = "";
	int ret;

	util_read_small("/proc/sys/user/max_user_namespaces", max, sizeof(max));
	if ((errnum == EPERM || errnum == EACCES) &&
	    sysctl_is("/proc/sys/kernel/unprivileged_userns_clone", "0")) {
		ret = sbx_error_set(err, 0,
				    "user namespaces are disabled for unprivileged users: "
				    "kernel.unprivileged_userns_clone is 0");
		sbx_error_hint(err, "as root: sysctl -w kernel.unprivileged_userns_clone=1 "
				    "(persist it in /etc/sysctl.d/)");
	} else if (strcmp(max, "0") == 0) {
		ret = sbx_error_set(err, 0, "user namespaces are disabled: user.max_user_namespaces is 0");
		sbx_error_hint(err, "as root: sysctl -w user.max_user_namespaces=15000 "
				    "(persist it in /etc/sysctl.d/)");
	} else if ((errnum == EPERM || errnum == EACCES) &&
		   sysctl_is("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1")) {
		ret = sbx_error_set(err, 0,
				    "user namespaces are restricted by AppArmor: "
				    "kernel.apparmor_restrict_unprivileged_userns is 1");
		sbx_error_hint(err, "as root: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, "
				    "or give sandbox an AppArmor profile that allows `userns,`");
	} else if (errnum == ENOSPC) {
		ret = sbx_error_set(err, 0,
				    "too many user namespaces: the limit "
				    "user.max_user_namespaces (%s) or the nesting depth (32) "
				    "is reached",
				    *max ? max : "?");
		sbx_error_hint(err, "as root: sysctl -w user.max_user_namespaces=N with a larger N, "
				    "or stop other sandboxes");
	} else if (errnum == EUSERS) {
		ret = sbx_error_set(err, 0, "too many nested user namespaces (the kernel allows 32)");
	} else if (errnum == EINVAL) {
		ret = sbx_error_set(err, 0,
				    "create user namespace: the kernel does not support "
				    "user namespaces");
		sbx_error_hint(err, "a kernel built with CONFIG_USER_NS=y is needed");
	} else if (errnum == EPERM) {
		ret = sbx_error_set(err, 0, "create user namespace: not permitted");
		sbx_error_hint(err, "a seccomp filter or a chroot forbids it (is sandbox running "
				    "inside a container?); run it on the host, or allow "
				    "clone(CLONE_NEWUSER) there");
	} else {
		return sbx_error_set(err, errnum, "create user namespace");
	}
	if (err && *err && !sbx_error_is(*err, SBX_ERR_NOMEM))
		(*err)->errnum = errnum;
	return errnum > 0 ? -errnum : ret;
}
