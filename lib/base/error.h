/* SPDX-License-Identifier: GPL-2.0-or-later */
/* error.h - the one error convention of sandbox
 *
 * Functions that can fail take `struct sbx_error **err` as their last
 * parameter and return a negative value on failure, after filling *err with
 * sbx_error_set() (or passing on the *err a callee set). Callers add context
 * on the way up with sbx_error_wrap(), so that the final message reads
 * "mount overlay on `/x`: lowerdir `/y`: Invalid argument". Save errno
 * before doing anything else (sbx_error_set() takes it as a parameter).
 * Paths are quoted with backticks everywhere. The library never prints to
 * the user or exits: the command line (cli_report() in lib/cli/cli.c) prints
 * "sandbox: MESSAGE" (and the hint on a second line) and exits with
 * err->exit_code (125 unless set otherwise).
 * A function that returns an error owns nothing it allocated: it cleans up
 * with the cleanup attributes of util.h before returning.
 * Callers decide what to do by err->errnum or err->code (sbx_error_is()),
 * never by the message text: a condition a caller branches on gets a code
 * in enum sbx_error_code, set with sbx_error_set_code().
 * When memory runs out, *err points at a shared static "out of memory"
 * error (errnum ENOMEM, code SBX_ERR_NOMEM) instead of staying NULL, so
 * err->msg is always readable; sbx_error_free() leaves that one alone.
 */
#ifndef SBX_ERROR_H
#define SBX_ERROR_H

#include <stdarg.h>
#include <stdbool.h>

#define SBX_EXIT_FAILURE     125 /* sandbox itself failed */
#define SBX_EXIT_CANNOT_EXEC 126
#define SBX_EXIT_NOT_FOUND   127

/* Conditions callers decide on (beside errnum); SBX_ERR_GENERIC for the rest. */
enum sbx_error_code {
	SBX_ERR_GENERIC = 0,
	SBX_ERR_NOMEM,		 /* the static out-of-memory error */
	SBX_ERR_IMAGE_NOT_LOCAL, /* the image is not in the local store (pulling may help) */
};

struct sbx_error {
	int errnum;		  /* errno value behind the failure, 0 if none */
	int exit_code;		  /* exit status the CLI should use (125 by default) */
	enum sbx_error_code code; /* what callers decide on, with errnum */
	char *msg;		  /* "WHAT: WHY", never NULL */
	char *hint;		  /* optional: a line that tells the user how to fix it */
};

int sbx_error_set(struct sbx_error **err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int sbx_error_set_code(struct sbx_error **err, enum sbx_error_code code, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
bool sbx_error_is(const struct sbx_error *e, enum sbx_error_code code);
int sbx_error_wrap(struct sbx_error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbx_error_hint(struct sbx_error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbx_error_exit_code(struct sbx_error **err, int exit_code);
void sbx_error_free(struct sbx_error *e);
void sbx_error_cleanup(struct sbx_error **e);

#define cleanup_error __attribute__((cleanup(sbx_error_cleanup)))

/* Logging: the only way the library talks to the user. */
enum sbx_log_level { SBX_LOG_ERROR, SBX_LOG_WARN, SBX_LOG_INFO, SBX_LOG_DEBUG };
extern enum sbx_log_level sbx_log_level;
void sbx_log(enum sbx_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sbx_log_parse_level(const char *s, enum sbx_log_level *out);

/* A debug line with the time since the process started, for profiling. */
void sbx_debug_phase(const char *phase);

#define sbx_warn(...) sbx_log(SBX_LOG_WARN, __VA_ARGS__)
#define sbx_info(...) sbx_log(SBX_LOG_INFO, __VA_ARGS__)
#define sbx_debug(...)                                                                                       \
	do {                                                                                                 \
		if (sbx_log_level >= SBX_LOG_DEBUG)                                                          \
			sbx_log(SBX_LOG_DEBUG, __VA_ARGS__);                                                 \
	} while (0)

#endif /* SBX_ERROR_H */
