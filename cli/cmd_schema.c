/*
 * cmd_schema.c — `iko schema show|doc [NAME|FILE]`: the standard schema as
 * loaded from schema/<name>.yaml, as a table or as Markdown with the
 * Japanese labels (checked into docs/schema/).
 */
#include "cli.h"

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_load.h"
#include "iko_schema.h"

#include <stdio.h>
#include <string.h>

const char cmd_schema_usage[] =
	"usage: iko schema show [NAME|FILE]\n"
	"       iko schema ddl [NAME|FILE]\n"
	"       iko schema doc [NAME|FILE]\n\n"
	"Show a standard schema (default: jumin, i.e. schema/jumin.yaml).\n\n"
	"  show   tables, columns (type, length, required, code list, check,\n"
	"         sensitivity), keys and reconciliation measures\n"
	"  ddl    the PostgreSQL DDL of the parent tables (partitioned by lg_code)\n"
	"  doc    the same as Markdown with the Japanese labels (docs/schema/)\n\n"
	"NAME is looked up as schema/NAME.yaml in the iko data directory\n"
	"($IKO_HOME, else the source tree); anything with a '/' or ending in\n"
	".yaml is a path.\n";

static int load_any(iko_schema **out, const char *arg)
{
	size_t n = strlen(arg);

	if (strchr(arg, '/') || (n > 5 && !strcmp(arg + n - 5, ".yaml")))
		return iko_schema_load(out, arg);
	return iko_schema_load_named(out, arg);
}

static void col_line(const iko_column *c, int md)
{
	char len[32] = "";

	if (c->type == IKO_COL_DECIMAL)
		snprintf(len, sizeof(len), "%d,%d", c->precision, c->scale);
	else if (c->length)
		snprintf(len, sizeof(len), "%d", c->length);
	if (md)
		printf("| `%s` | %s | %s | %s | %s | %s | %s | %s |\n", c->name, c->label,
		       iko_col_type_name(c->type), len, c->required ? "必須" : "",
		       c->codes ? c->codes->name : "",
		       c->check ? iko_check_kind_name(c->check) : "",
		       c->sensitive ? "要保護" : "");
	else
		printf("  %-20s %-8s %-6s %-3s %-15s %-10s %s  %s\n", c->name,
		       iko_col_type_name(c->type), len, c->required ? "req" : "",
		       c->codes ? c->codes->name : "-",
		       c->check ? iko_check_kind_name(c->check) : "-",
		       c->sensitive ? "sensitive" : "", c->label);
}

static void measure_line(const iko_measure *m, int md)
{
	size_t i, j;

	printf(md ? "| `%s` | %s | %s" : "  %-26s %s %s", m->name, m->label,
	       iko_measure_kind_name(m->kind));
	if (m->column)
		printf("(%s)", m->column);
	printf(md ? " | " : "  by ");
	for (i = 0; i < m->ngroup; i++)
		printf("%s%s", i ? ", " : "", m->group_by[i]);
	if (!m->ngroup && !md)
		printf("-");
	printf(md ? " | " : "  where ");
	for (i = 0; i < m->nfilter; i++) {
		printf("%s%s in (", i ? " and " : "", m->filters[i].column);
		for (j = 0; j < m->filters[i].n; j++)
			printf("%s%s", j ? ", " : "", m->filters[i].values[j]);
		printf(")");
	}
	printf(md ? " |\n" : "\n");
}

static void show_table(const iko_table *t, int md)
{
	size_t i;

	if (md) {
		printf("\n## %s — %s\n\n", t->name, t->label);
		printf("Key: ");
		for (i = 0; i < t->nkey; i++)
			printf("%s`%s`", i ? ", " : "", t->cols[t->key[i]].name);
		printf(". Partitioned by `lg_code`.\n\n");
		printf("| column | 項目名 | type | length | 必須 | code list | check | 機微 |\n");
		printf("|---|---|---|---|---|---|---|---|\n");
	} else {
		printf("table %s (%s)\n  key:", t->name, t->label);
		for (i = 0; i < t->nkey; i++)
			printf(" %s", t->cols[t->key[i]].name);
		printf("\n");
	}
	for (i = 0; i < t->ncols; i++)
		col_line(&t->cols[i], md);
	if (t->nrules) {
		printf(md ? "\nTable rules: " : "  rules:");
		for (i = 0; i < t->nrules; i++)
			printf(md ? "%s`%s`" : "%s %s", md && i ? ", " : "", t->rules[i]);
		printf("\n");
	}
	if (t->nmeasures) {
		if (md)
			printf("\n| measure | 集計項目 | kind | group by | where |\n|---|---|---|---|---|\n");
		else
			printf("  measures:\n");
		for (i = 0; i < t->nmeasures; i++)
			measure_line(&t->measures[i], md);
	}
}

static void show_codes(const iko_schema *s, int md)
{
	size_t i, j;

	printf(md ? "\n## コード表 (code lists)\n\n" : "code lists\n");
	for (i = 0; i < s->ncodes; i++) {
		printf(md ? "- `%s`: " : "  %-16s", s->codes[i].name);
		for (j = 0; j < s->codes[i].n; j++)
			printf("%s%s %s", j ? ", " : "", s->codes[i].codes[j], s->codes[i].labels[j]);
		printf("\n");
	}
}

int cmd_schema(int argc, char **argv, const iko_cli *cli)
{
	static const iko_opt opts[] = { { NULL, 0, NULL } };
	const char *pos[2] = { NULL, NULL };
	iko_schema *s = NULL;
	int npos = 0, rc, md;
	size_t i;

	if ((rc = iko_cli_parse(cli, argc, argv, opts, pos, 2, &npos)))
		return rc;
	if (npos < 1)
		return iko_cli_usage(cli, "missing subcommand (show, ddl or doc)");
	if (strcmp(pos[0], "show") && strcmp(pos[0], "doc") && strcmp(pos[0], "ddl"))
		return iko_cli_usage(cli, "unknown subcommand: %s", pos[0]);
	md = !strcmp(pos[0], "doc");
	if (load_any(&s, npos > 1 ? pos[1] : "jumin")) {
		iko_cli_error("schema");
		return IKO_EXIT_ERROR;
	}
	if (!strcmp(pos[0], "ddl")) {
		iko_buf ddl = IKO_BUF_INIT;
		rc = iko_load_ddl(&ddl, s);
		if (!rc)
			fputs(iko_buf_cstr(&ddl), stdout);
		else
			iko_cli_error("schema ddl");
		iko_buf_release(&ddl);
		iko_schema_free(s);
		return rc ? IKO_EXIT_ERROR : IKO_EXIT_OK;
	}
	if (md)
		printf("# %s (`%s`) — standard schema %s\n\n"
		       "Generated by `iko schema doc %s` from `schema/%s.yaml`; do not edit.\n",
		       s->label, s->name, s->version, s->name, s->name);
	else
		printf("schema %s (%s) version %s\n", s->name, s->label, s->version);
	for (i = 0; i < s->ntables; i++)
		show_table(&s->tables[i], md);
	show_codes(s, md);
	iko_schema_free(s);
	return IKO_EXIT_OK;
}
