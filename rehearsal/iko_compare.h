/*
 * iko_compare.h — compare two rehearsals of a municipality: which
 * discrepancies were fixed, which are new and which remain (by 差異ID, see
 * iko_review.h), and how each measure's status moved.
 */
#ifndef IKO_COMPARE_H
#define IKO_COMPARE_H

#include <stddef.h>

typedef struct iko_compare_item {
	char *id, *sheet, *kind, *key, *field;
	int state;                 /* 0 fixed (only in A), 1 new (only in B), 2 remaining */
} iko_compare_item;

typedef struct iko_compare_measure {
	char *measure, *label, *group_label, *status_a, *status_b;
} iko_compare_measure;

typedef struct iko_compare_result {
	size_t nitems;
	iko_compare_item *items;   /* A's order, then B's new ones */
	long long fixed, added, remaining;
	size_t nmeasures;
	iko_compare_measure *measures; /* every measure present in either run */
	long long pass[2], warn[2], fail[2];
	long long changed;         /* measures whose status differs */
} iko_compare_result;

int iko_compare_runs(iko_compare_result *out, const char *run_a, const char *run_b);
/* Write the comparison as a workbook (sheets 差異の比較, 集計の比較). */
int iko_compare_workbook(const iko_compare_result *r, const char *run_a, const char *run_b,
			 const char *path);
void iko_compare_result_release(iko_compare_result *r);

#endif
