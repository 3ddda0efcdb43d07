/*
 * iko_dynlib.c — load a shared library on first use (see iko_dynlib.h).
 */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include "iko_dynlib.h"

#include "iko_error.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

static void load(iko_dynlib *l)
{
	const char *name = l->env ? getenv(l->env) : NULL, *e;

	if (!name || !*name)
		name = l->soname;
	l->handle = dlopen(name, RTLD_NOW | (l->global ? RTLD_GLOBAL : RTLD_LOCAL));
	if (!l->handle) {
		e = dlerror();
		snprintf(l->why, sizeof(l->why), "cannot load %s: %s (apt-get install %s)", l->what,
			 e ? e : name, l->package);
	}
}

int iko_dynlib_loaded(iko_dynlib *l)
{
	int s = __atomic_load_n(&l->state, __ATOMIC_ACQUIRE);

	if (s == 0) {
		pthread_mutex_lock(&l->mu);
		if ((s = l->state) == 0) {
			load(l);
			s = l->handle ? 1 : -1;
			__atomic_store_n(&l->state, s, __ATOMIC_RELEASE);
		}
		pthread_mutex_unlock(&l->mu);
	}
	return s == 1;
}

void *iko_dynlib_sym(iko_dynlib *l, const char *name)
{
	if (!iko_dynlib_loaded(l))
		return NULL;
	/* the global scope for a library loaded RTLD_GLOBAL (an LD_PRELOAD
	 * shim comes first there); iko's own wrappers are not in it: the
	 * executable does not export its symbols */
	return dlsym(l->global ? RTLD_DEFAULT : l->handle, name);
}

const char *iko_dynlib_why(iko_dynlib *l)
{
	return iko_dynlib_loaded(l) ? "" : l->why;
}

int iko_dynlib_load(iko_dynlib *l)
{
	if (iko_dynlib_loaded(l))
		return 0;
	return iko_error_set(IKO_EIO, "%s", l->why);
}
