/*
 * iko_follow.c — read files while another thread is still writing them.
 *
 * The reader's FILE is a glibc cookie stream over its own descriptor on the
 * writer's file (opened under the temporary name while the writer has it,
 * under the final name once done). A read that returns 0 while the writer
 * is still writing waits for the writer's next grew/done and reads again:
 * the file only ever grows, so every read sees a prefix of what will be
 * committed. The state is taken before the read, so a read after "done" was
 * seen is known to see every byte.
 */
#define _GNU_SOURCE /* fopencookie */
#include "iko_follow.h"

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_fs.h" /* IKO_AFILE_WRITEBACK_STEP */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

enum { WRITING, DONE, FAILED, ANNOUNCED /* named by iko_follow_announce, not begun yet */ };

typedef struct fentry {
	char *path, *tmp;
	int state;
	unsigned long gen;     /* bumped by every grew/done */
	long long expect;      /* the writer's estimate of the final size; -1 none */
} fentry;

struct iko_follow {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	fentry *e;
	size_t n, cap;
	int closed, closed_ok;
	int announced;         /* the writers named their files up front (iko_follow_announce) */
	int drop_read;         /* readers let the kernel drop what they read (iko_follow_drop_read) */
};

int iko_follow_new(iko_follow **out)
{
	iko_follow *f = calloc(1, sizeof(*f));

	*out = NULL;
	if (!f)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	*out = f;
	return 0;
}

void iko_follow_free(iko_follow *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->e[i].path);
		free(f->e[i].tmp);
	}
	free(f->e);
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mu);
	free(f);
}

void iko_follow_drop_read(iko_follow *f, int on)
{
	pthread_mutex_lock(&f->mu);
	f->drop_read = on;
	pthread_mutex_unlock(&f->mu);
}

/* The entry of path (caller holds mu); NULL if none. */
static fentry *find(iko_follow *f, const char *path)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->e[i].path, path))
			return &f->e[i];
	return NULL;
}

/* A new entry for path (caller holds mu); NULL when out of memory. */
static fentry *add_entry(iko_follow *f, const char *path, int state, long long expect)
{
	fentry *e;

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;
		fentry *ne = realloc(f->e, cap * sizeof(*ne));
		if (!ne)
			return NULL;
		f->e = ne;
		f->cap = cap;
	}
	e = &f->e[f->n];
	if (!(e->path = iko_strdup(path)))
		return NULL;
	e->tmp = NULL;
	e->state = state;
	e->gen = 0;
	e->expect = expect;
	f->n++;
	return e;
}

int iko_follow_announce(iko_follow *f, const char *path, long long bytes)
{
	int rc = 0;

	pthread_mutex_lock(&f->mu);
	if (find(f, path) != NULL)
		rc = IKO_EINVAL;
	else if (!add_entry(f, path, ANNOUNCED, bytes < 0 ? 0 : bytes))
		rc = IKO_ENOMEM;
	else
		f->announced = 1;
	pthread_mutex_unlock(&f->mu);
	if (rc == IKO_EINVAL)
		return iko_error_set(rc, "%s is already being written", path);
	return rc ? iko_error_set(rc, "out of memory") : 0;
}

int iko_follow_begin(iko_follow *f, const char *path, const char *tmp)
{
	char *t = iko_strdup(tmp);
	fentry *e = NULL;
	int rc = 0;

	pthread_mutex_lock(&f->mu);
	if (!t)
		rc = IKO_ENOMEM;
	else if ((e = find(f, path)) != NULL && e->state != ANNOUNCED)
		rc = IKO_EINVAL; /* each path is written once */
	else if (!e && !(e = add_entry(f, path, WRITING, -1)))
		rc = IKO_ENOMEM;
	if (!rc) {
		e->tmp = t;
		e->state = WRITING;
		e->gen++;
		t = NULL;
	}
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
	free(t);
	if (rc == IKO_EINVAL)
		return iko_error_set(rc, "%s is already being written", path);
	return rc ? iko_error_set(rc, "out of memory") : 0;
}

static void set_state(iko_follow *f, const char *path, int state)
{
	fentry *e;

	pthread_mutex_lock(&f->mu);
	if ((e = find(f, path)) != NULL) {
		if (state != WRITING)
			e->state = state;
		e->gen++;
	}
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

void iko_follow_grew(iko_follow *f, const char *path)
{
	set_state(f, path, WRITING);
}

void iko_follow_done(iko_follow *f, const char *path, int ok)
{
	set_state(f, path, ok ? DONE : FAILED);
}

void iko_follow_expect(iko_follow *f, const char *path, long long bytes)
{
	fentry *e;

	pthread_mutex_lock(&f->mu);
	if ((e = find(f, path)) != NULL)
		e->expect = bytes;
	pthread_mutex_unlock(&f->mu);
}

long long iko_follow_expected(iko_follow *f, const char *path)
{
	fentry *e;
	long long bytes;

	pthread_mutex_lock(&f->mu);
	bytes = (e = find(f, path)) != NULL ? e->expect : -1;
	pthread_mutex_unlock(&f->mu);
	return bytes;
}

void iko_follow_close(iko_follow *f, int ok)
{
	size_t i;

	pthread_mutex_lock(&f->mu);
	if (!f->closed) {
		f->closed = 1;
		f->closed_ok = ok;
		for (i = 0; !ok && i < f->n; i++)
			if (f->e[i].state == WRITING) {
				f->e[i].state = FAILED;
				f->e[i].gen++;
			}
	}
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

int iko_follow_wait_closed(iko_follow *f)
{
	int ok;

	pthread_mutex_lock(&f->mu);
	while (!f->closed)
		pthread_cond_wait(&f->cv, &f->mu);
	ok = f->closed_ok;
	pthread_mutex_unlock(&f->mu);
	return ok;
}

/* ---- the reader's stream ------------------------------------------------ */

/*
 * The stream's buffer. glibc reads a cookie stream only through its buffer
 * (8 KiB unless given one), whatever fread asks for: at 1M residents that
 * was about 55,000 read calls of 8 KiB for the files followed, against a
 * few hundred with this one.
 */
#define FOLLOW_BUF (1u << 20)

typedef struct freader {
	iko_follow *f;
	char *path;
	char *buf;
	int fd;
	int drop;              /* the set's drop_read when opened */
	long long pos;         /* bytes read */
	long long dropped;     /* the pages before this offset were let go */
} freader;

/*
 * With drop_read, the pages of what the reader has read are let go one
 * writeback step at a time, two steps behind it, and the rest once the
 * writer is done (it fsyncs a file before that). Two steps: the writer
 * starts writing back every IKO_AFILE_WRITEBACK_STEP, so those pages are
 * clean by then; the kernel keeps a page still dirty or being written,
 * which only means it stays cached.
 */
#define DROP_STEP IKO_AFILE_WRITEBACK_STEP
#define DROP_LAG (2 * IKO_AFILE_WRITEBACK_STEP)

/* Let the pages of [r->dropped, upto) go; upto < 0: to the end of the file. */
static void fr_drop(freader *r, long long upto)
{
	if (upto >= 0 && upto <= r->dropped)
		return;
	/* advice: where it fails the pages stay cached, nothing else */
	(void)posix_fadvise(r->fd, r->dropped, upto < 0 ? 0 : upto - r->dropped, POSIX_FADV_DONTNEED);
	r->dropped = upto < 0 ? r->pos : upto;
}

static ssize_t fr_read(void *cookie, char *buf, size_t size)
{
	freader *r = cookie;
	iko_follow *f = r->f;
	fentry *e;
	unsigned long gen;
	int state;
	ssize_t n;

	for (;;) {
		pthread_mutex_lock(&f->mu);
		e = find(f, r->path);
		state = e ? e->state : DONE;
		gen = e ? e->gen : 0;
		pthread_mutex_unlock(&f->mu);
		do
			n = read(r->fd, buf, size);
		while (n < 0 && errno == EINTR);
		if (n > 0) {
			r->pos += n;
			if (r->drop && r->pos - DROP_LAG - r->dropped >= DROP_STEP)
				fr_drop(r, r->pos - DROP_LAG);
		}
		if (n != 0)
			return n;
		if (state == DONE) {
			if (r->drop)
				fr_drop(r, -1);
			return 0;
		}
		if (state == FAILED) {
			errno = EIO;
			return -1;
		}
		pthread_mutex_lock(&f->mu);
		while ((e = find(f, r->path)) != NULL && e->gen == gen && e->state == WRITING)
			pthread_cond_wait(&f->cv, &f->mu);
		pthread_mutex_unlock(&f->mu);
	}
}

static int fr_close(void *cookie)
{
	freader *r = cookie;
	int rc = close(r->fd);

	/* fclose no longer touches a buffer it was given once this is called */
	free(r->buf);
	free(r->path);
	free(r);
	return rc;
}

FILE *iko_follow_fopen(iko_follow *f, const char *path)
{
	static const cookie_io_functions_t io = { fr_read, NULL, NULL, fr_close };
	freader *r;
	fentry *e;
	char *tmp = NULL;
	int fd = -1, state, err;
	FILE *fp;

	if (!f)
		return fopen(path, "rb");
	pthread_mutex_lock(&f->mu);
	/*
	 * not begun yet: wait for the writer to begin it or to close the set;
	 * when the writers named their files, one they did not name is read as
	 * it is at once
	 */
	while ((((e = find(f, path)) == NULL && !f->announced) || (e && e->state == ANNOUNCED)) &&
	       !f->closed)
		pthread_cond_wait(&f->cv, &f->mu);
	state = e ? e->state : DONE;
	if (e && state == WRITING && !(tmp = iko_strdup(e->tmp))) {
		pthread_mutex_unlock(&f->mu);
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_unlock(&f->mu);
	if (state == DONE || !e)
		return fopen(path, "rb");
	/* abandoned, or named and the set closed (ok or not) without beginning it */
	if (state == FAILED || state == ANNOUNCED) {
		errno = EIO;
		return NULL;
	}
	fd = open(tmp, O_RDONLY | O_CLOEXEC);
	free(tmp);
	if (fd < 0 && errno == ENOENT) {
		/* renamed (or removed) between the look and the open: it is done */
		pthread_mutex_lock(&f->mu);
		while ((e = find(f, path)) != NULL && e->state == WRITING)
			pthread_cond_wait(&f->cv, &f->mu);
		state = e ? e->state : DONE;
		pthread_mutex_unlock(&f->mu);
		if (state == FAILED) {
			errno = EIO;
			return NULL;
		}
		return fopen(path, "rb");
	}
	if (fd < 0)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r || !(r->path = iko_strdup(path)) || !(r->buf = malloc(FOLLOW_BUF))) {
		if (r)
			free(r->path);
		free(r);
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	r->f = f;
	r->fd = fd;
	pthread_mutex_lock(&f->mu);
	r->drop = f->drop_read;
	pthread_mutex_unlock(&f->mu);
	fp = fopencookie(r, "rb", io);
	if (!fp) {
		err = errno;
		fr_close(r);
		errno = err;
	} else if (setvbuf(fp, r->buf, _IOFBF, FOLLOW_BUF) != 0) {
		fclose(fp); /* frees r */
		errno = ENOMEM;
		return NULL;
	}
	return fp;
}
