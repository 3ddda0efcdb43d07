/*
 * cli_util.c — option parsing, error printing and progress for commands.
 */
#include "cli.h"

#include "iko_error.h"
#include "iko_progress.h"

#include <errno.h>
#include <pthread.h>
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

/*
 * The terminal line shows one stage at a time; a stage following another
 * reports beside it, held (iko_progress.h). Each stage keeps its own clock
 * from its first report, held or shown, so its rate is its own. Reports
 * come from the stages' threads: the state is shared, under a lock.
 */
struct stage_clock {
	const char *stage;   /* its name literal (the pointer is the key) */
	struct timespec start;
	long long first;     /* records done at its first report */
	long long last;      /* records done at its last report */
};

static struct {
	pthread_mutex_t mu;
	struct stage_clock clock[4];  /* the stages of a run that overlap */
	unsigned next;                /* the slot a new stage takes */
	const char *shown;            /* the stage whose line is on the terminal */
} prog = {.mu = PTHREAD_MUTEX_INITIALIZER};

static double elapsed(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * The stage's clock, started at this report for a new stage or the next
 * file of one (*restarted).
 */
static struct stage_clock *stage_clock(const char *stage, long long done, int *restarted)
{
	struct stage_clock *k = NULL;
	size_t i;

	for (i = 0; i < sizeof(prog.clock) / sizeof(prog.clock[0]); i++)
		if (prog.clock[i].stage == stage)
			k = &prog.clock[i];
	if (!k) {
		k = &prog.clock[prog.next++ % (sizeof(prog.clock) / sizeof(prog.clock[0]))];
		k->stage = NULL;
	}
	/* the next file of the same stage: the count starts over */
	*restarted = !k->stage || done < k->last;
	if (*restarted) {
		k->stage = stage;
		k->first = done;
		clock_gettime(CLOCK_MONOTONIC, &k->start);
	}
	k->last = done;
	return k;
}

void iko_cli_progress(const char *stage, long long done, long long total,
		      void *payload)
{
	const iko_cli *cli = payload;
	struct stage_clock *k;
	int held = iko_progress_held(done), restarted;
	double secs, rate;

	if (!cli || !cli->tty)
		return;
	if (held)
		done = IKO_PROGRESS_DONE(done);
	pthread_mutex_lock(&prog.mu);
	k = stage_clock(stage, done, &restarted);
	if (held) {
		pthread_mutex_unlock(&prog.mu);
		return;
	}
	/* a new stage, or the next file of the same stage, starts a new line */
	if (prog.shown && (prog.shown != stage || restarted))
		fputc('\n', stderr);
	prog.shown = stage;
	secs = elapsed(&k->start);
	/* the rate since the stage's first report (over less than 20 ms it means nothing yet) */
	rate = secs >= 0.02 ? (double)(done - k->first) / secs : 0;
	if (rate <= 0 && total > 0)
		fprintf(stderr, "\r%-10s %12lld/%lld records ", stage, done, total);
	else if (rate <= 0)
		fprintf(stderr, "\r%-10s %12lld records ", stage, done);
	else if (total > 0)
		fprintf(stderr, "\r%-10s %12lld/%lld records  %9.0f rec/s  ETA %4.0fs ",
			stage, done, total, rate, (double)(total - done) / rate);
	else
		fprintf(stderr, "\r%-10s %12lld records  %9.0f rec/s ", stage, done, rate);
	pthread_mutex_unlock(&prog.mu);
}

void iko_cli_progress_end(const iko_cli *cli)
{
	pthread_mutex_lock(&prog.mu);
	if (cli && cli->tty && prog.shown)
		fputc('\n', stderr);
	prog.shown = NULL;
	memset(prog.clock, 0, sizeof(prog.clock));
	prog.next = 0;
	pthread_mutex_unlock(&prog.mu);
}
