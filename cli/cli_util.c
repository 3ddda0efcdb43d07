/*
 * cli_util.c — option parsing, error printing and progress for commands.
 */
#include "cli.h"

#include "iko_error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int iko_cli_usage(const iko_cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "iko: %s: ", cli->cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nRun `iko %s --help` for usage.\n", cli->cmd->name);
	return IKO_EXIT_USAGE;
}

void iko_cli_error(const char *what)
{
	const char *msg = iko_error_message();

	if (*msg)
		fprintf(stderr, "iko: %s: %s\n", what, msg);
	else
		fprintf(stderr, "iko: %s: %s\n", what, iko_strerror(iko_error_code()));
}

int iko_cli_exit_for(int rc)
{
	if (rc == 0)
		return IKO_EXIT_OK;
	if (rc == IKO_ECHECK)
		return IKO_EXIT_CHECKS;
	if (rc == IKO_EINVAL)
		return IKO_EXIT_USAGE;
	return IKO_EXIT_ERROR;
}

static const iko_opt *find_opt(const iko_opt *opts, const char *name, size_t len)
{
	for (; opts->name; opts++)
		if (strlen(opts->name) == len && !strncmp(opts->name, name, len))
			return opts;
	return NULL;
}

static int set_opt(const iko_cli *cli, const iko_opt *o, const char *val)
{
	char *end;
	long long v;
	iko_strlist *l;

	switch (o->kind) {
	case IKO_OPT_FLAG:
		*(int *)o->target = 1;
		return 0;
	case IKO_OPT_STR:
		*(const char **)o->target = val;
		return 0;
	case IKO_OPT_LIST:
		l = o->target;
		if (l->n == (int)(sizeof(l->items) / sizeof(l->items[0])))
			return iko_cli_usage(cli, "too many --%s options", o->name);
		l->items[l->n++] = val;
		return 0;
	case IKO_OPT_INT:
		errno = 0;
		v = strtoll(val, &end, 10);
		if (errno || !*val || *end)
			return iko_cli_usage(cli, "--%s: not an integer: %s", o->name, val);
		*(long long *)o->target = v;
		return 0;
	}
	return IKO_EXIT_USAGE;
}

int iko_cli_parse(const iko_cli *cli, int argc, char **argv,
		  const iko_opt *opts, const char **pos, int maxpos, int *npos)
{
	int i, n = 0, rc, only_pos = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *eq, *val = NULL;
		const iko_opt *o;
		size_t len;

		if (!only_pos && !strcmp(a, "--")) {
			only_pos = 1;
			continue;
		}
		if (only_pos || a[0] != '-' || a[1] == '\0') {
			if (n >= maxpos)
				return iko_cli_usage(cli, "unexpected argument: %s", a);
			pos[n++] = a;
			continue;
		}
		if (a[1] != '-')
			return iko_cli_usage(cli, "unknown option: %s", a);
		eq = strchr(a + 2, '=');
		len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
		o = find_opt(opts, a + 2, len);
		if (!o)
			return iko_cli_usage(cli, "unknown option: %.*s", (int)len + 2, a);
		if (o->kind == IKO_OPT_FLAG) {
			if (eq)
				return iko_cli_usage(cli, "--%s takes no value", o->name);
		} else if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			return iko_cli_usage(cli, "--%s needs a value", o->name);
		}
		if ((rc = set_opt(cli, o, val)))
			return rc;
	}
	if (npos)
		*npos = n;
	return 0;
}

struct progress_state {
	const char *stage;
	struct timespec start;
	long long first;     /* records done at the stage's first report */
	long long last;      /* records done at its last report */
	int shown;
};

static _Thread_local struct progress_state prog;

static double elapsed(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

void iko_cli_progress(const char *stage, long long done, long long total,
		      void *payload)
{
	const iko_cli *cli = payload;
	double secs, rate;

	if (!cli || !cli->tty)
		return;
	/* a new stage, or the next file of the same stage (the count starts over) */
	if (prog.stage != stage || done < prog.last) {
		if (prog.shown)
			fputc('\n', stderr);
		prog.stage = stage;
		prog.shown = 0;
		prog.first = done;
		clock_gettime(CLOCK_MONOTONIC, &prog.start);
	}
	prog.last = done;
	secs = elapsed(&prog.start);
	/* the rate since the first report (over less than 20 ms it means nothing yet) */
	rate = secs >= 0.02 ? (double)(done - prog.first) / secs : 0;
	if (rate <= 0 && total > 0)
		fprintf(stderr, "\r%-10s %12lld/%lld records ", stage, done, total);
	else if (rate <= 0)
		fprintf(stderr, "\r%-10s %12lld records ", stage, done);
	else if (total > 0)
		fprintf(stderr, "\r%-10s %12lld/%lld records  %9.0f rec/s  ETA %4.0fs ",
			stage, done, total, rate, (double)(total - done) / rate);
	else
		fprintf(stderr, "\r%-10s %12lld records  %9.0f rec/s ", stage, done, rate);
	prog.shown = 1;
}

void iko_cli_progress_end(const iko_cli *cli)
{
	if (cli && cli->tty && prog.shown)
		fputc('\n', stderr);
	prog.shown = 0;
	prog.stage = NULL;
	prog.last = 0;
}
