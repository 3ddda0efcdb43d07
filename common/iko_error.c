/*
 * iko_error.c — error code names and the thread-local last error.
 */
#include "iko_error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const error_names[] = {
	[0] = "ok",
	[1] = "error",
	[2] = "out of memory",
	[3] = "input/output error",
	[4] = "invalid argument",
	[5] = "parse error",
	[6] = "not found",
	[7] = "conversion error",
	[8] = "database error",
	[9] = "invalid state",
	[10] = "interrupted",
	[11] = "checks found problems",
};
_Static_assert(sizeof(error_names) / sizeof(error_names[0]) == -IKO_ERROR_MIN_,
	       "error_names must cover enum iko_error");

static _Thread_local char *last_msg;
static _Thread_local int last_code;

const char *iko_strerror(int code)
{
	if (code > 0 || code <= IKO_ERROR_MIN_)
		return "unknown error";
	return error_names[-code];
}

__attribute__((format(printf, 3, 0)))
static void set_v(int code, const char *suffix, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	size_t slen = suffix ? strlen(suffix) + 2 : 0;
	char *msg;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		n = 0;
	msg = malloc((size_t)n + slen + 1);
	if (msg) {
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
		if (suffix)
			snprintf(msg + n, slen + 1, ": %s", suffix);
	}
	free(last_msg);
	last_msg = msg;
	last_code = code;
}

int iko_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_v(code, NULL, fmt, ap);
	va_end(ap);
	return code;
}

int iko_error_set_errno(int code, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;
	char ebuf[128];
	const char *es;

	es = strerror_r(saved, ebuf, sizeof(ebuf)) == 0 ? ebuf : "unknown errno";
	va_start(ap, fmt);
	set_v(code, es, fmt, ap);
	va_end(ap);
	errno = saved;
	return code;
}

const char *iko_error_message(void)
{
	return last_msg ? last_msg : "";
}

int iko_error_code(void)
{
	return last_code;
}

void iko_error_clear(void)
{
	free(last_msg);
	last_msg = NULL;
	last_code = IKO_OK;
}
