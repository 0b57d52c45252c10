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

/*
 * The error *err points at when memory runs out: preallocated, so that a
 * caller that reads (*err)->msg after a failure always finds a message.
 * Never freed, never modified (sbx_error_wrap() and sbx_error_hint() leave
 * it as it is).
 */
static char oom_msg[] = "out of memory";
static struct sbx_error oom_error = {
    .errnum = ENOMEM,
    .exit_code = SBX_EXIT_FAILURE,
    .code = SBX_ERR_NOMEM,
    .msg = oom_msg,
};

static int error_return(const struct sbx_error *e)
{
	return e->errnum > 0 ? -e->errnum : -1;
}

static int error_vset(struct sbx_error **err, enum sbx_error_code code, int errnum, const char *fmt,
		      va_list ap) __attribute__((format(printf, 4, 0)));

/**
 * error_vset() - fill *err with a new error (sbx_error_set() and
 *		  sbx_error_set_code())
 * @err:	out-parameter; an earlier error there is freed
 * @code:	what callers decide on
 * @errnum:	errno value to append as ": strerror", or 0 for none
 * @fmt:	printf format of what failed
 * @ap:		its arguments
 *
 * Return: -errnum when errnum > 0, else -1; -ENOMEM with *err pointing at
 * the static out-of-memory error when the message cannot be allocated.
 */
static int error_vset(struct sbx_error **err, enum sbx_error_code code, int errnum, const char *fmt,
		      va_list ap)
{
	struct sbx_error *e;
	char *what;

	if (!err)
		return errnum > 0 ? -errnum : -1;
	sbx_error_free(*err);
	*err = &oom_error;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	what = vformat(fmt, ap);
	if (!what) {
		free(e);
		return -ENOMEM;
	}
	e->errnum = errnum;
	e->exit_code = SBX_EXIT_FAILURE;
	e->code = code;
	if (errnum > 0) {
		if (asprintf(&e->msg, "%s: %s", what, strerror(errnum)) < 0) {
			free(what);
			free(e);
			return -ENOMEM;
		}
		free(what);
	} else {
		e->msg = what;
	}
	*err = e;
	return error_return(e);
}

/**
 * sbx_error_set() - fill *err with a new error
 * @err:	out-parameter; an earlier error there is freed
 * @errnum:	errno value to append as ": strerror", or 0 for none
 * @fmt:	printf format of what failed
 *
 * *err is never left NULL: without memory it is the static out-of-memory
 * error.
 *
 * Return: -errnum when errnum > 0, else -1, so callers can `return` it
 * (-ENOMEM when memory ran out).
 */
int sbx_error_set(struct sbx_error **err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = error_vset(err, SBX_ERR_GENERIC, errnum, fmt, ap);
	va_end(ap);
	return ret;
}

/**
 * sbx_error_set_code() - sbx_error_set() with a code callers can decide on
 * @err:	out-parameter; an earlier error there is freed
 * @code:	the condition (enum sbx_error_code)
 * @errnum:	errno value to append as ": strerror", or 0 for none
 * @fmt:	printf format of what failed
 *
 * Return: as sbx_error_set().
 */
int sbx_error_set_code(struct sbx_error **err, enum sbx_error_code code, int errnum, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = error_vset(err, code, errnum, fmt, ap);
	va_end(ap);
	return ret;
}

/**
 * sbx_error_is() - whether an error is of a condition
 * @e:		the error, or NULL (no error is of any condition)
 * @code:	the condition
 *
 * Return: true if @e is set and carries @code.
 */
bool sbx_error_is(const struct sbx_error *e, enum sbx_error_code code)
{
	return e && e->code == code;
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
	if (*err == &oom_error)
		return error_return(*err);
	va_start(ap, fmt);
	ctx = vformat(fmt, ap);
	va_end(ap);
	if (ctx && asprintf(&msg, "%s: %s", ctx, (*err)->msg ? (*err)->msg : "") >= 0) {
		free((*err)->msg);
		(*err)->msg = msg;
	}
	free(ctx);
	return error_return(*err);
}

/**
 * sbx_error_hint() - attach a how-to-fix line to *err (replaces an older one)
 * @err:	an error already set
 * @fmt:	printf format of the hint
 */
void sbx_error_hint(struct sbx_error **err, const char *fmt, ...)
{
	va_list ap;

	if (!err || !*err || *err == &oom_error)
		return;
	free((*err)->hint);
	va_start(ap, fmt);
	(*err)->hint = vformat(fmt, ap);
	va_end(ap);
}

/**
 * sbx_error_exit_code() - set the exit status the CLI uses for *err
 * @err:	an error already set
 * @exit_code:	the status (SBX_EXIT_FAILURE unless set)
 *
 * The static out-of-memory error keeps SBX_EXIT_FAILURE.
 */
void sbx_error_exit_code(struct sbx_error **err, int exit_code)
{
	if (!err || !*err || *err == &oom_error)
		return;
	(*err)->exit_code = exit_code;
}

/**
 * sbx_error_free() - free an error (the static out-of-memory one stays)
 * @e:		the error, or NULL
 */
void sbx_error_free(struct sbx_error *e)
{
	if (!e || e == &oom_error)
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
