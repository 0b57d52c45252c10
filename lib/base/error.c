// SPDX-License-Identifier: GPL-2.0-or-later
/* error.c - error objects with context, and the logging module */
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum sbx_log_level sbx_log_level = SBX_LOG_WARN;

static char *vformat(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static char *vformat(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

/**
 * sbx_error_set() - fill *err with a new error
 * @err:	out-parameter; an earlier error there is freed
 * @errnum:	errno value to append as ": strerror", or 0 for none
 * @fmt:	printf format of what failed
 *
 * Return: -errnum when errnum > 0, else -1, so callers can `return` it.
 */
int sbx_error_set(struct sbx_error **err, int errnum, const char *fmt, ...)
{
	struct sbx_error *e;
	char *what;
	va_list ap;

	if (!err)
		return errnum > 0 ? -errnum : -1;
	sbx_error_free(*err);
	*err = NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	va_start(ap, fmt);
	what = vformat(fmt, ap);
	va_end(ap);
	e->errnum = errnum;
	e->exit_code = 125;
	if (errnum > 0 && what) {
		if (asprintf(&e->msg, "%s: %s", what, strerror(errnum)) < 0)
			e->msg = NULL;
		free(what);
	} else {
		e->msg = what;
	}
	*err = e;
	return errnum > 0 ? -errnum : -1;
}

/**
 * sbx_error_wrap() - prefix the message of *err with more context
 * @err:	an error set by a callee
 * @fmt:	printf format of the context, without the ": " separator
 *
 * Return: the negative value the callee's sbx_error_set() returned.
 */
int sbx_error_wrap(struct sbx_error **err, const char *fmt, ...)
{
	char *ctx, *msg;
	va_list ap;

	if (!err || !*err)
		return -1;
	va_start(ap, fmt);
	ctx = vformat(fmt, ap);
	va_end(ap);
	if (ctx && asprintf(&msg, "%s: %s", ctx, (*err)->msg ? (*err)->msg : "") >= 0) {
		free((*err)->msg);
		(*err)->msg = msg;
	}
	free(ctx);
	return (*err)->errnum > 0 ? -(*err)->errnum : -1;
}

/**
 * sbx_error_hint() - attach a how-to-fix line to *err (replaces an older one)
 * @err:	an error already set
 * @fmt:	printf format of the hint
 */
void sbx_error_hint(struct sbx_error **err, const char *fmt, ...)
{
	va_list ap;

	if (!err || !*err)
		return;
	free((*err)->hint);
	va_start(ap, fmt);
	(*err)->hint = vformat(fmt, ap);
	va_end(ap);
}

void sbx_error_free(struct sbx_error *e)
{
	if (!e)
		return;
	free(e->msg);
	free(e->hint);
	free(e);
}

void sbx_error_cleanup(struct sbx_error **e)
{
	sbx_error_free(*e);
	*e = NULL;
}

static const char *const level_names[] = {"error", "warn", "info", "debug"};

/**
 * sbx_log() - print one line to stderr as "sandbox: [LEVEL: ]MESSAGE"
 * @level:	messages above sbx_log_level are dropped
 * @fmt:	printf format
 *
 * errno is preserved, so it can be used between a failing call and the
 * code that reads errno.
 */
void sbx_log(enum sbx_log_level level, const char *fmt, ...)
{
	int saved = errno;
	char buf[1024];
	va_list ap;
	int n;

	if (level > sbx_log_level)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	if (level == SBX_LOG_ERROR)
		dprintf(STDERR_FILENO, "sandbox: %.*s\n", n, buf);
	else
		dprintf(STDERR_FILENO, "sandbox: %s: %.*s\n", level_names[level], n, buf);
	errno = saved;
}

void sbx_debug_phase(const char *phase)
{
	struct timespec ts;

	if (sbx_log_level < SBX_LOG_DEBUG)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sbx_log(SBX_LOG_DEBUG, "[%ld.%06ld] pid %d: %s", (long)ts.tv_sec, ts.tv_nsec / 1000L, (int)getpid(),
		phase);
}

int sbx_log_parse_level(const char *s, enum sbx_log_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum sbx_log_level)i;
			return 0;
		}
	}
	if (strcmp(s, "warning") == 0) {
		*out = SBX_LOG_WARN;
		return 0;
	}
	return -1;
}
