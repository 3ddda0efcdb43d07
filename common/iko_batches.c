/*
 * iko_batches.c — ordered batch pipeline over helper threads.
 */
#include "iko_batches.h"

#include "iko_buf.h"
#include "iko_csv.h"
#include "iko_error.h"
#include "iko_follow.h"
#include "iko_fs.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SLOTS 16
#define MAX_WORKERS 8

enum { FREE, FILLED, DONE };

typedef struct pool {
	const iko_batches_ops *ops;
	void *const *slots;
	int nslots, nworkers;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int state[MAX_SLOTS];
	long long seq[MAX_SLOTS];
	int rc[MAX_SLOTS];
	char err[MAX_SLOTS][512];
	long long filled;      /* batches handed out */
	int eof, abort;
	int wid[MAX_WORKERS];
	/* drain_apart: the draining thread's error (iko_thread_keep_error) */
	int drc;
	char *derr;
} pool;

static void *worker_main(void *arg)
{
	int *wid = arg;
	pool *p = (pool *)((char *)(wid - *wid) - offsetof(pool, wid));
	long long seq;
	int k, rc;

	for (seq = *wid;; seq += p->nworkers) {
		k = (int)(seq % p->nslots);
		pthread_mutex_lock(&p->mu);
		while (!p->abort && !(p->state[k] == FILLED && p->seq[k] == seq) && !(p->eof && seq >= p->filled))
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->abort || (p->eof && seq >= p->filled)) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		pthread_mutex_unlock(&p->mu);
		rc = p->ops->work(p->ops->ctx, *wid, p->slots[k]);
		if (rc)
			snprintf(p->err[k], sizeof(p->err[k]), "%s", iko_error_message());
		pthread_mutex_lock(&p->mu);
		p->rc[k] = rc;
		p->state[k] = DONE;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
}

/* Drain the oldest batch if it is done (called with the lock held; drops it while draining). */
static int drain_one(pool *p, long long *drained, int *did)
{
	int k = (int)(*drained % p->nslots), rc;

	*did = 0;
	if (*drained >= p->filled || p->state[k] != DONE)
		return 0;
	pthread_mutex_unlock(&p->mu);
	rc = p->rc[k] ? iko_error_set(p->rc[k], "%s", p->err[k]) : p->ops->drain(p->ops->ctx, p->slots[k]);
	pthread_mutex_lock(&p->mu);
	p->state[k] = FREE;
	++*drained;
	*did = 1;
	pthread_cond_broadcast(&p->cv);
	return rc;
}

/*
 * drain_apart: drain the batches in order as they finish, until every
 * batch filled is drained (eof) or something failed (abort); the first
 * error of a drain (or of the work it reports) stops the run.
 */
static void *drainer_main(void *arg)
{
	pool *p = arg;
	long long drained = 0;
	int did, rc;

	pthread_mutex_lock(&p->mu);
	while (!p->abort && !(p->eof && drained >= p->filled)) {
		rc = drain_one(p, &drained, &did);
		if (rc) {
			p->drc = iko_thread_keep_error(rc, &p->derr);
			p->abort = 1;
			pthread_cond_broadcast(&p->cv);
			break;
		}
		if (!did)
			pthread_cond_wait(&p->cv, &p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int iko_batches_run(const iko_batches_ops *ops, void *const *slots, int nslots, int nworkers)
{
	pool *p;
	pthread_t th[MAX_WORKERS], dth;
	long long drained = 0;
	int started = 0, rc = 0, w, got = 1, did, apart = 0;

	if (nslots < 1 || nslots > MAX_SLOTS || nworkers < 1 || nworkers > MAX_WORKERS)
		return iko_error_set(IKO_EINVAL, "batches: %d slots, %d workers", nslots, nworkers);
	if (!(p = calloc(1, sizeof(*p))))
		return iko_error_set(IKO_ENOMEM, "out of memory");
	p->ops = ops;
	p->slots = slots;
	p->nslots = nslots;
	p->nworkers = nworkers;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	for (w = 0; w < nworkers; w++) {
		p->wid[w] = w;
		if (iko_thread_start(&th[w], worker_main, &p->wid[w])) {
			rc = iko_error_set(IKO_ERROR, "cannot start a helper thread");
			break;
		}
		started++;
	}
	/* without a thread of its own, draining happens here between fills */
	if (!rc && ops->drain_apart && iko_thread_start(&dth, drainer_main, p) == 0)
		apart = 1;
	pthread_mutex_lock(&p->mu);
	while (!rc && got > 0) {
		int k = (int)(p->filled % nslots);
		/* wait for the slot, draining finished batches meanwhile */
		while (!rc && !p->abort && p->state[k] != FREE) {
			if (!apart)
				rc = drain_one(p, &drained, &did);
			else
				did = 0;
			if (!rc && !did)
				pthread_cond_wait(&p->cv, &p->mu);
		}
		if (rc || p->abort)
			break;
		pthread_mutex_unlock(&p->mu);
		got = ops->fill(ops->ctx, slots[k]);
		pthread_mutex_lock(&p->mu);
		if (got < 0) {
			rc = got;
			break;
		}
		if (got > 0) {
			p->seq[k] = p->filled++;
			p->state[k] = FILLED;
			pthread_cond_broadcast(&p->cv);
		}
	}
	p->eof = 1;
	pthread_cond_broadcast(&p->cv);
	while (!apart && !rc && drained < p->filled) {
		rc = drain_one(p, &drained, &did);
		if (!rc && !did)
			pthread_cond_wait(&p->cv, &p->mu);
	}
	if (rc)
		p->abort = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	/* the first error in the order of the batches: a drain's comes before a later fill's */
	if (apart && iko_thread_join(dth, &p->drc, &p->derr))
		rc = p->drc;
	for (w = 0; w < started; w++)
		pthread_join(th[w], NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
	return rc;
}

/* ---- a CSV file's records ----------------------------------------------------------- */

typedef struct cslot {
	iko_buf data;
	iko_csv_batch pos;
	void *user;
} cslot;

typedef struct cpool {
	const iko_csv_batches_ops *ops;
	const char *name;
	size_t bytes;
	iko_csv_cutter *cut;
	iko_csv_reader *rd[MAX_WORKERS];
	cslot slot[MAX_SLOTS];
} cpool;

static int c_fill(void *ctx, void *batch)
{
	cpool *p = ctx;
	cslot *s = batch;
	int rc = iko_csv_cutter_next_copy(p->cut, p->bytes, &s->data, &s->pos);

	return rc == IKO_EIO ? iko_error_set_errno(IKO_EIO, "cannot read %s", p->name) : rc;
}

static int c_work(void *ctx, int w, void *batch)
{
	cpool *p = ctx;
	cslot *s = batch;

	iko_csv_reader_set_mem(p->rd[w], s->data.ptr, s->data.len, s->pos.record, s->pos.line, s->pos.offset);
	return p->ops->work(p->ops->ctx, w, p->rd[w], s->user);
}

static int c_drain(void *ctx, void *batch)
{
	cpool *p = ctx;
	cslot *s = batch;

	return p->ops->drain(p->ops->ctx, s->user, &s->pos);
}

int iko_csv_batches_run(const char *path, const char *name, size_t batch_bytes, const iko_csv_batches_ops *ops,
			void *const *batches, int nslots, int nworkers, iko_follow *follow)
{
	cpool *p;
	iko_batches_ops bo = { NULL, c_fill, c_work, c_drain, 1 };
	void *slots[MAX_SLOTS];
	iko_csv_batch hdr;
	FILE *fp = NULL;
	int rc = 0, i;

	if (nslots < 1 || nslots > MAX_SLOTS || nworkers < 1 || nworkers > MAX_WORKERS)
		return iko_error_set(IKO_EINVAL, "batches: %d slots, %d workers", nslots, nworkers);
	if (!(p = calloc(1, sizeof(*p))))
		return iko_error_set(IKO_ENOMEM, "out of memory");
	p->ops = ops;
	p->name = name;
	p->bytes = batch_bytes;
	bo.ctx = p;
	for (i = 0; i < nslots; i++) {
		p->slot[i].user = batches[i];
		slots[i] = &p->slot[i];
	}
	for (i = 0; !rc && i < nworkers; i++)
		rc = iko_csv_reader_open_fp(&p->rd[i], NULL, name);
	if (!rc && !(fp = iko_follow_fopen(follow, path)))
		rc = iko_error_set_errno(errno == EIO ? IKO_EIO : IKO_ENOTFOUND, "cannot open %s", name);
	if (!rc)
		rc = iko_csv_cutter_open(&p->cut, fp, ',');
	/* the header line, read by the caller */
	if (!rc && (rc = iko_csv_cutter_next(p->cut, 1, &hdr)) == IKO_EIO)
		rc = iko_error_set_errno(IKO_EIO, "cannot read %s", name);
	if (rc >= 0)
		rc = iko_batches_run(&bo, slots, nslots, nworkers);
	for (i = 0; i < nworkers; i++)
		iko_csv_reader_free(p->rd[i]);
	for (i = 0; i < nslots; i++)
		iko_buf_release(&p->slot[i].data);
	iko_csv_cutter_free(p->cut);
	if (fp)
		fclose(fp);
	free(p);
	return rc;
}
