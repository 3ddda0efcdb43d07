/*
 * iko_error.h — the one error enum of libiko and the thread-local last error.
 *
 * Every libiko function that can fail returns int: 0 on success, a negative
 * enum iko_error on failure. The detail (file, record number, byte offset,
 * field) is kept in a thread-local "last error" set with iko_error_set(), which
 * the CLI prints as "iko: <what>: <where>".
 */
#ifndef IKO_ERROR_H
#define IKO_ERROR_H

#include <stddef.h>

enum iko_error {
	IKO_OK = 0,
	IKO_ERROR = -1,     /* generic failure */
	IKO_ENOMEM = -2,    /* out of memory */
	IKO_EIO = -3,       /* read, write, close, rename failed */
	IKO_EINVAL = -4,    /* bad argument or bad option value */
	IKO_EPARSE = -5,    /* malformed input file (layout, yaml, csv, ...) */
	IKO_ENOTFOUND = -6, /* file, key, table or object does not exist */
	IKO_ECONV = -7,     /* character conversion failed */
	IKO_EDB = -8,       /* database error */
	IKO_ESTATE = -9,    /* wrong state (already running, not started, ...) */
	IKO_EINTR = -10,    /* interrupted by a signal */
	IKO_ECHECK = -11,   /* checks found problems (not a crash: exit code 3) */
	IKO_ERROR_MIN_ = -12
};

/* Short English name of an error code ("out of memory"); never NULL. */
const char *iko_strerror(int code);

/*
 * Record the last error for this thread and return code, so callers can
 * write `return iko_error_set(IKO_EIO, "cannot write %s", path);`.
 * The message is formatted into a heap buffer owned by the thread.
 */
int iko_error_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Like iko_error_set() and appends ": strerror(errno)". */
int iko_error_set_errno(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The last error's message ("" if none); valid until the next set/clear. */
const char *iko_error_message(void);

/* The last error's code (IKO_OK if none). */
int iko_error_code(void);

/* Forget the last error and free its message buffer. */
void iko_error_clear(void);

#endif
