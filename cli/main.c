/*
 * main.c — the iko command table and runner.
 *
 * `iko help`, `iko <cmd> --help` and `iko --version` all come from the table
 * below. Exit codes: 0 ok, 1 error, 2 usage error, 3 checks found problems.
 */
#include "cli.h"

#include "iko_fs.h"

#include "iko_error.h"

#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const iko_cmd iko_commands[] = {
	{ "help", cmd_help, 0, "show commands, or help for one command",
	  "usage: iko help [COMMAND]\n\n"
	  "Without COMMAND, list every command. With COMMAND, show its help\n"
	  "(the same text as `iko COMMAND --help`).\n" },
	{ "version", cmd_version, 0, "print the iko version",
	  "usage: iko version\n       iko --version\n\nPrint the version of iko.\n" },
	{ "demo", cmd_demo, IKO_CMD_NEED_DB,
	  "generate a sample municipality and rehearse it end to end", cmd_demo_usage },
	{ "sample", cmd_sample, 0,
	  "generate a fictional municipality's legacy dump", cmd_sample_usage },
	{ "extract", cmd_extract, 0,
	  "legacy records -> canonical UTF-8 CSV + rejects", cmd_extract_usage },
	{ "transform", cmd_transform, 0,
	  "canonical CSV -> standard-schema CSV through a mapping pack", cmd_transform_usage },
	{ "validate", cmd_validate, 0,
	  "check standard-schema CSV against the schema's rules", cmd_validate_usage },
	{ "load", cmd_load, IKO_CMD_NEED_DB,
	  "load validated CSV into PostgreSQL (one partition per municipality)", cmd_load_usage },
	{ "reconcile", cmd_reconcile, IKO_CMD_NEED_DB,
	  "compare old totals, extracted and loaded data; write the workbook", cmd_reconcile_usage },
	{ "rehearse", cmd_rehearse, IKO_CMD_NEED_DB,
	  "run every stage for a project in one process", cmd_rehearse_usage },
	{ "db", cmd_db, 0, "manage the embedded PostgreSQL server", cmd_db_usage },
	{ "schema", cmd_schema, 0, "show the standard schema, its DDL or its docs", cmd_schema_usage },
	{ "pack", cmd_pack, 0,
	  "vendor mapping packs: coverage on a new dump, overlay diff, new overlay", cmd_pack_usage },
	{ "package", cmd_package, 0,
	  "verify a standard migration package (.zip)", cmd_package_usage },
	{ "shard", cmd_shard, 0,
	  "place municipalities on other PostgreSQL servers", cmd_shard_usage },
	{ "review", cmd_review, 0,
	  "import reviewed discrepancy workbooks; show review status", cmd_review_usage },
	{ "rehearsal", cmd_rehearsal, 0,
	  "compare two rehearsals: fixed, new and remaining", cmd_rehearsal_usage },
	{ "runs", cmd_runs, 0,
	  "list and show rehearsal runs", cmd_runs_usage },
	{ "gate", cmd_gate, 0,
	  "go/no-go gates (移行判定) of a run", cmd_gate_usage },
	{ "lesson", cmd_lesson, 0,
	  "record lessons and their fixes for later municipalities", cmd_lesson_usage },
	{ "schedule", cmd_schedule, 0,
	  "sequence staggered cutovers week by week", cmd_schedule_usage },
	{ "evidence", cmd_evidence, 0,
	  "verify a run's evidence bundle (evidence.zip) against its SHA-256 list", cmd_evidence_usage },
	{ "runbook", cmd_runbook, 0,
	  "render a runbook for a municipality", cmd_runbook_usage },
	{ NULL, NULL, 0, NULL, NULL }
};

const iko_cmd *iko_cli_find(const char *name)
{
	const iko_cmd *c;

	for (c = iko_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static void print_help_list(FILE *fp)
{
	const iko_cmd *c;

	fprintf(fp, "usage: iko <command> [options]\n\n"
		    "iko moves municipal data from legacy vendor systems to the standard\n"
		    "schema: extract -> transform -> validate -> load -> reconcile -> report.\n\n"
		    "commands:\n");
	for (c = iko_commands; c->name; c++)
		if (!(c->flags & IKO_CMD_HIDDEN))
			fprintf(fp, "  %-10s %s\n", c->name, c->summary);
	fprintf(fp, "\nRun `iko <command> --help` for a command's options.\n"
		    "Exit codes: 0 ok, 1 error, 2 usage error, 3 checks found problems.\n");
}

static int print_cmd_help(const iko_cmd *c)
{
	if (c->usage)
		fputs(c->usage, stdout);
	else
		printf("usage: iko %s [options]\n\n%s\n", c->name, c->summary);
	return IKO_EXIT_OK;
}

int cmd_help(int argc, char **argv, const iko_cli *cli)
{
	const iko_cmd *c;

	(void)cli;
	if (argc < 2) {
		print_help_list(stdout);
		return IKO_EXIT_OK;
	}
	c = iko_cli_find(argv[1]);
	if (!c) {
		fprintf(stderr, "iko: unknown command: %s\n", argv[1]);
		return IKO_EXIT_USAGE;
	}
	return print_cmd_help(c);
}

int cmd_version(int argc, char **argv, const iko_cli *cli)
{
	(void)argc;
	(void)argv;
	(void)cli;
	printf("iko %s\n", IKO_VERSION);
	return IKO_EXIT_OK;
}

static int has_help_flag(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	}
	return 0;
}

/*
 * SIGINT, SIGTERM, SIGHUP: remove the temporary files in progress, say so,
 * and die of the signal (exit status 128 + n to the shell). Outputs only
 * ever reach their final names by a rename after a complete write, and an
 * interrupted load is rolled back by the server when the connection drops,
 * so nothing partial is left anywhere.
 */
static void on_fatal_signal(int sig)
{
	static const char a[] = "\niko: interrupted by SIG";
	static const char b[] = ": temporary files removed, nothing partial left under a final name;"
				" an unfinished load is rolled back\n";
	const char *name = sig == SIGINT ? "INT" : sig == SIGTERM ? "TERM" : "HUP";
	ssize_t w;

	iko_tmp_cleanup();
	w = write(STDERR_FILENO, a, sizeof(a) - 1);
	w = write(STDERR_FILENO, name, strlen(name));
	w = write(STDERR_FILENO, b, sizeof(b) - 1);
	(void)w;
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_signal_handlers(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/*
 * Keep freed memory for the next allocation instead of handing it back to
 * the kernel, in a few heaps. Every stage allocates its batch buffers, read
 * buffers and key sets afresh. By default glibc maps a buffer of a few MiB
 * on its own and unmaps it when it is freed (the threshold adapts, up to
 * 32 MiB), trims a heap's free top beyond twice that, and gives each new
 * thread a heap of its own (up to 8 per core), where memory freed by one
 * stage's threads waits for threads that never come back. So the next
 * stage faults the same amount of memory in again, page by page, and on a
 * virtual machine a page fault is dear. With this, a 1M rehearsal makes
 * 51,000 page faults instead of 69,500 and takes 12 % less CPU; its peak
 * memory is 186 MB instead of 142 (docs/performance.md). Memory freed is
 * kept, up to 1 GiB, until iko exits. A GLIBC_TUNABLES that sets any
 * malloc tunable is left to decide alone.
 */
static void keep_freed_memory(void)
{
	const char *t = getenv("GLIBC_TUNABLES");
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (t && strstr(t, "glibc.malloc."))
		return;
	(void)mallopt(M_MMAP_THRESHOLD, 32 << 20);
	(void)mallopt(M_TRIM_THRESHOLD, 1 << 30);
	/* about two busy threads per core: extract's, transform's and validate's workers */
	(void)mallopt(M_ARENA_MAX, cores > 2 ? (int)(2 * cores) : 4);
}

int main(int argc, char **argv)
{
	const iko_cmd *c;
	iko_cli cli;
	int rc;

	keep_freed_memory();
	if (argc < 2) {
		print_help_list(stderr);
		return IKO_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return cmd_version(1, argv + 1, NULL) ? IKO_EXIT_ERROR
			: (fflush(stdout) || ferror(stdout) ? IKO_EXIT_ERROR : IKO_EXIT_OK);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_help_list(stdout);
		return fflush(stdout) ? IKO_EXIT_ERROR : IKO_EXIT_OK;
	}
	c = iko_cli_find(argv[1]);
	if (!c) {
		fprintf(stderr, "iko: unknown command: %s\n"
				"Run `iko help` for the list of commands.\n", argv[1]);
		return IKO_EXIT_USAGE;
	}
	cli.cmd = c;
	cli.tty = isatty(STDERR_FILENO);
	install_signal_handlers();
	if (has_help_flag(argc - 1, argv + 1))
		rc = print_cmd_help(c);
	else
		rc = c->fn(argc - 1, argv + 1, &cli);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "iko: cannot write standard output\n");
		if (rc == IKO_EXIT_OK)
			rc = IKO_EXIT_ERROR;
	}
	iko_error_clear();
	return rc;
}
