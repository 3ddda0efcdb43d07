/*
 * cli.h — the iko command table and helpers shared by the cli/cmd_*.c files.
 *
 * Only cli/ prints and decides exit codes. A command is
 *   int cmd_<name>(int argc, char **argv, const iko_cli *cli);
 * argv[0] is the command name; the return value is the exit code.
 */
#ifndef IKO_CLI_H
#define IKO_CLI_H

#include <stdio.h>

enum iko_exit {
	IKO_EXIT_OK = 0,     /* success */
	IKO_EXIT_ERROR = 1,  /* the command failed */
	IKO_EXIT_USAGE = 2,  /* bad command line (unknown option included) */
	IKO_EXIT_CHECKS = 3  /* ran, and checks found problems */
};

enum iko_cmd_flags {
	IKO_CMD_NEED_DB = 1 << 0, /* takes --db DSN, else the embedded server */
	IKO_CMD_HIDDEN = 1 << 1   /* not listed by iko help */
};

typedef struct iko_cli iko_cli;

typedef struct iko_cmd {
	const char *name;
	int (*fn)(int argc, char **argv, const iko_cli *cli);
	unsigned flags;
	const char *summary; /* one line for `iko help` */
	const char *usage;   /* full text for `iko <cmd> --help` */
} iko_cmd;

struct iko_cli {
	const iko_cmd *cmd;
	int tty;             /* stderr is a terminal: show progress */
};

/* Option kinds for iko_cli_parse(). */
enum iko_opt_kind { IKO_OPT_FLAG, IKO_OPT_STR, IKO_OPT_INT, IKO_OPT_LIST };

typedef struct iko_opt {
	const char *name;        /* long name without dashes: "layout" */
	enum iko_opt_kind kind;
	void *target;            /* int* (FLAG), const char** (STR), long long* (INT),
	                            iko_strlist* (LIST: option may repeat) */
} iko_opt;

typedef struct iko_strlist {
	const char *items[32];
	int n;
} iko_strlist;

/*
 * Parse argv[1..] against opts (terminated by {NULL}). Positional arguments
 * are collected into pos (at most maxpos; more is a usage error).
 * Returns 0, or IKO_EXIT_USAGE after printing the error.
 */
int iko_cli_parse(const iko_cli *cli, int argc, char **argv,
		  const iko_opt *opts, const char **pos, int maxpos, int *npos);

/* Print "iko: <what>: <where>" style error for the last libiko error. */
void iko_cli_error(const char *what);
/* Print a usage error "iko: <cmd>: <msg>" plus the help hint; returns 2. */
int iko_cli_usage(const iko_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Map a libiko return code to an exit code (IKO_ECHECK → 3, else 1). */
int iko_cli_exit_for(int rc);

/* Progress callback for libiko stages (payload = const iko_cli *). */
void iko_cli_progress(const char *stage, long long done, long long total,
		      void *payload);
/* End a progress line if one is shown. */
void iko_cli_progress_end(const iko_cli *cli);

/* On stderr: "extract: INPUT: N read, N written, N rejected[, REASON N…]; gaiji …" */
struct iko_extract_stats;
void iko_cli_extract_summary(const char *input, const struct iko_extract_stats *st);

/* Print a rehearsal summary (counts per stage, timings, outcome, paths). */
struct iko_rehearse_result;
struct iko_project_muni;
/* `iko demo --wave` (cmd_demo_wave.c). */
int iko_demo_wave(const char *dir, long long residents, long long inject, unsigned long long seed, const char *db,
		  const iko_cli *cli);

void iko_cli_print_rehearsal(const struct iko_rehearse_result *r,
			     const struct iko_project_muni *m);

/* The command table (defined in main.c). */
extern const iko_cmd iko_commands[];
const iko_cmd *iko_cli_find(const char *name);

/* Each command file defines cmd_<name>() and its help text cmd_<name>_usage[]. */
#define IKO_DECLARE_CMD(name) \
	int cmd_##name(int argc, char **argv, const iko_cli *cli); \
	extern const char cmd_##name##_usage[]
IKO_DECLARE_CMD(help);
IKO_DECLARE_CMD(version);
IKO_DECLARE_CMD(db);
IKO_DECLARE_CMD(evidence);
IKO_DECLARE_CMD(sample);
IKO_DECLARE_CMD(extract);
IKO_DECLARE_CMD(transform);
IKO_DECLARE_CMD(validate);
IKO_DECLARE_CMD(load);
IKO_DECLARE_CMD(reconcile);
IKO_DECLARE_CMD(rehearse);
IKO_DECLARE_CMD(demo);
IKO_DECLARE_CMD(schema);
IKO_DECLARE_CMD(pack);
IKO_DECLARE_CMD(package);
IKO_DECLARE_CMD(shard);
IKO_DECLARE_CMD(review);
IKO_DECLARE_CMD(rehearsal);
IKO_DECLARE_CMD(runs);
IKO_DECLARE_CMD(gate);
IKO_DECLARE_CMD(lesson);
IKO_DECLARE_CMD(schedule);
IKO_DECLARE_CMD(runbook);

#endif
