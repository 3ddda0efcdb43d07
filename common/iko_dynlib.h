/*
 * iko_dynlib.h — a shared library loaded when a command first needs it.
 *
 * Some libraries bring many others with them (libpq: OpenSSL, Kerberos,
 * OpenLDAP, GnuTLS; libxlsxwriter: minizip and OpenSSL's libcrypto; libzip:
 * libcrypto, bzip2), and mapping and relocating them at every start was
 * most of a short command's time. iko is not linked with them: each
 * function iko calls is defined in a wrapper file (load/iko_libpq.c,
 * common/iko_libzip.c, reports/iko_libxlsxwriter.c) with the library
 * header's prototype, so the compiler checks it, and calls the library's
 * own, which the first call loads (dlopen, once per process) and looks up
 * (once per function, kept in an atomic pointer).
 *
 * When the library cannot be loaded, iko_dynlib_why() says so, with the
 * Debian package to install, and every wrapper returns its fail value.
 */
#ifndef IKO_DYNLIB_H
#define IKO_DYNLIB_H

#include <pthread.h>

typedef struct iko_dynlib {
	const char *soname;  /* "libzip.so.4" */
	const char *env;     /* environment variable naming another file to load */
	const char *what;    /* "the zip library", for the message */
	const char *package; /* "libzip4" */
	int global;          /* RTLD_GLOBAL, symbols looked up by the global scope
			      * (an LD_PRELOAD shim sees every call); else in the library */
	pthread_mutex_t mu;
	int state;           /* 0 not tried, 1 loaded, -1 failed (atomic) */
	void *handle;
	char why[512];       /* "cannot load <what>: <dlerror> (apt-get install <package>)" */
} iko_dynlib;

#define IKO_DYNLIB_INIT(soname, env, what, package, global) \
	{ soname, env, what, package, global, PTHREAD_MUTEX_INITIALIZER, 0, NULL, { 0 } }

/* 1 when the library is loaded (the first call loads it), else 0. */
int iko_dynlib_loaded(iko_dynlib *l);
/* The library's function name; NULL when the library cannot be loaded. */
void *iko_dynlib_sym(iko_dynlib *l, const char *name);
/* Why it could not be loaded ("" while it can). */
const char *iko_dynlib_why(iko_dynlib *l);
/* 0 when loaded, else IKO_EIO with iko_dynlib_why() as the error message. */
int iko_dynlib_load(iko_dynlib *l);

/* The library's own `name` in f_ (NULL when it cannot be loaded). */
#define IKO_DYN_REAL(lib, name)                                                            \
	__typeof__(&name) f_ = __atomic_load_n(&p_##name, __ATOMIC_ACQUIRE);              \
	if (!f_ && (f_ = (__typeof__(&name))iko_dynlib_sym(&(lib), #name)) != NULL)        \
		__atomic_store_n(&p_##name, f_, __ATOMIC_RELEASE)

/* Define name(params), returning the library's result or fail. */
#define IKO_DYN_FN(lib, ret, name, params, args, fail)                                     \
	static __typeof__(&name) p_##name;                                                 \
	ret name params                                                                    \
	{                                                                                  \
		IKO_DYN_REAL(lib, name);                                                   \
		return f_ ? f_ args : fail;                                                \
	}

/* The same for a function returning nothing (nothing happens without the library). */
#define IKO_DYN_VFN(lib, name, params, args)                                               \
	static __typeof__(&name) p_##name;                                                 \
	void name params                                                                   \
	{                                                                                  \
		IKO_DYN_REAL(lib, name);                                                   \
		if (f_)                                                                    \
			f_ args;                                                           \
	}

#endif
