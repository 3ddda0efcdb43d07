/*
 * test_batches.c — the ordered batch pipeline (iko_batches_run), with the
 * batches drained between fills on the caller's thread and on a thread of
 * their own (drain_apart): every batch drained once, in the order filled,
 * whatever order the helpers finish in; the first failure — of a fill, a
 * work or a drain — stops the run with its own message, and no batch after
 * a failed one is drained.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iko_batches.h"
#include "iko_error.h"

Suite *batches_suite(void);

#define NB 64

typedef struct job {
	int n;        /* batches to fill */
	int next;     /* the next batch's number */
	int fail_fill, fail_work, fail_drain; /* batch number that fails, or -1 */
	int drained[NB];
	int ndrained;
	pthread_t filler, drainer;
	int drainers; /* distinct threads that drained (1 expected) */
} job;

typedef struct slot {
	int no, value;
} slot;

static void nap(int no)
{
	/* helpers finish out of order: a batch takes 0-3 ms */
	struct timespec ts = { 0, (long)((no * 7919) % 4) * 1000000L };

	nanosleep(&ts, NULL);
}

static int fill(void *ctx, void *batch)
{
	job *j = ctx;
	slot *s = batch;

	j->filler = pthread_self();
	if (j->next == j->fail_fill)
		return iko_error_set(IKO_EIO, "fill failed at %d", j->next);
	if (j->next >= j->n)
		return 0;
	s->no = j->next++;
	return 1;
}

static int work(void *ctx, int worker, void *batch)
{
	job *j = ctx;
	slot *s = batch;

	(void)worker;
	nap(s->no);
	if (s->no == j->fail_work)
		return iko_error_set(IKO_EPARSE, "work failed at %d", s->no);
	s->value = s->no * s->no;
	return 0;
}

static int drain(void *ctx, void *batch)
{
	job *j = ctx;
	slot *s = batch;

	if (j->ndrained == 0 || !pthread_equal(j->drainer, pthread_self()))
		j->drainers++;
	j->drainer = pthread_self();
	if (s->no == j->fail_drain)
		return iko_error_set(IKO_ECHECK, "drain failed at %d", s->no);
	ck_assert_int_eq(s->value, s->no * s->no);
	j->drained[j->ndrained++] = s->no;
	return 0;
}

static int run(job *j, int apart, int n, int fail_fill, int fail_work, int fail_drain)
{
	static slot sl[6];
	void *slots[6];
	iko_batches_ops ops = { NULL, fill, work, drain, 0 };
	int k;

	memset(j, 0, sizeof(*j));
	j->n = n;
	j->fail_fill = fail_fill;
	j->fail_work = fail_work;
	j->fail_drain = fail_drain;
	ops.ctx = j;
	ops.drain_apart = apart;
	for (k = 0; k < 6; k++)
		slots[k] = &sl[k];
	return iko_batches_run(&ops, slots, 6, 3);
}

START_TEST(in_order)
{
	job j;
	int k;

	ck_assert_int_eq(run(&j, _i, NB, -1, -1, -1), 0);
	ck_assert_int_eq(j.ndrained, NB);
	for (k = 0; k < NB; k++)
		ck_assert_int_eq(j.drained[k], k);
	ck_assert_int_eq(j.drainers, 1);
	/* drain_apart: not the thread that fills; otherwise the same one */
	ck_assert_int_eq(pthread_equal(j.drainer, j.filler) != 0, _i == 0);
	ck_assert_int_eq(pthread_equal(j.filler, pthread_self()) != 0, 1);
}
END_TEST

START_TEST(nothing)
{
	job j;

	ck_assert_int_eq(run(&j, _i, 0, -1, -1, -1), 0);
	ck_assert_int_eq(j.ndrained, 0);
}
END_TEST

START_TEST(drain_fails)
{
	job j;
	int k;

	ck_assert_int_eq(run(&j, _i, NB, -1, -1, 17), IKO_ECHECK);
	ck_assert_str_eq(iko_error_message(), "drain failed at 17");
	ck_assert_int_eq(j.ndrained, 17);
	for (k = 0; k < 17; k++)
		ck_assert_int_eq(j.drained[k], k);
}
END_TEST

START_TEST(work_fails)
{
	job j;

	ck_assert_int_eq(run(&j, _i, NB, -1, 9, -1), IKO_EPARSE);
	ck_assert_str_eq(iko_error_message(), "work failed at 9");
	ck_assert_int_eq(j.ndrained, 9);
}
END_TEST

START_TEST(fill_fails)
{
	job j;
	int k;

	ck_assert_int_eq(run(&j, _i, NB, 30, -1, -1), IKO_EIO);
	ck_assert_str_eq(iko_error_message(), "fill failed at 30");
	/* what was drained is a prefix, in order, of the batches filled before */
	ck_assert_int_le(j.ndrained, 30);
	for (k = 0; k < j.ndrained; k++)
		ck_assert_int_eq(j.drained[k], k);
}
END_TEST

START_TEST(drain_fails_before_fill)
{
	job j;

	/* both fail: the drain's batch (3) comes before the fill's (40) */
	ck_assert_int_eq(run(&j, _i, NB, 40, -1, 3), IKO_ECHECK);
	ck_assert_str_eq(iko_error_message(), "drain failed at 3");
	ck_assert_int_eq(j.ndrained, 3);
}
END_TEST

Suite *batches_suite(void)
{
	Suite *s = suite_create("batches");
	TCase *tc = tcase_create("run");

	tcase_set_timeout(tc, 30);
	/* _i: 0 drains between fills, 1 on a thread of its own */
	tcase_add_loop_test(tc, in_order, 0, 2);
	tcase_add_loop_test(tc, nothing, 0, 2);
	tcase_add_loop_test(tc, drain_fails, 0, 2);
	tcase_add_loop_test(tc, work_fails, 0, 2);
	tcase_add_loop_test(tc, fill_fails, 0, 2);
	tcase_add_loop_test(tc, drain_fails_before_fill, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
