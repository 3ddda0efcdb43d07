/*
 * iko_rehearse.c — the rehearsal runner (see iko_rehearse.h).
 */
#include "iko_rehearse.h"

#include "iko_buf.h"
#include "iko_db.h"
#include "iko_error.h"
#include "iko_extract.h"
#include "iko_follow.h"
#include "iko_fs.h"
#include "iko_json.h"
#include "iko_load.h"
#include "iko_evidence.h"
#include "iko_lesson.h"
#include "iko_pack.h"
#include "iko_pack_internal.h" /* vendor, business */
#include "iko_reconcile.h"
#include "iko_schema.h"
#include "iko_shard.h"
#include "iko_transform.h"
#include "iko_validate.h"

#include "iko_yaml.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct input_fp {
	char *name;
	char *sha256;
	long long bytes;
} input_fp;

/*
 * A stage's progress while it follows the one in front of it (held_report,
 * below).
 */
typedef struct held_progress {
	struct rctx *c;
	int front_done;
	const char *stage;
	long long done, total;
} held_progress;

typedef struct rctx {
	const iko_rehearse_options *o;
	iko_rehearse_result *r;
	iko_pack *pack;
	iko_schema *schema;
	input_fp inputs[32];
	size_t ninputs;
	char *gaiji[8];            /* the gaiji tables validate accepts (pack_gaiji) */
	size_t ngaiji;
	iko_follow *tfollow;       /* transform's outputs, for validate beside it; closed when transform ends */
	int load_ahead;            /* the load reads transform's files, not validate's (run_load's ahead) */
	struct timespec t0;
	iko_reconcile_prep *prep;  /* reconcile's database-free half, read during the load */
	pthread_mutex_t prog_mu;   /* a follower's progress (held_report) */
	held_progress load_held;   /* the load's, beside validate */
	int defer_analyze;         /* the load leaves ANALYZE (and dropping the generation it set aside) to run beside
				    * reconcile — unless reconcile reads before the swap (early_want, the load job) */
	/*
	 * Reconcile reads the loaded rows from the load's _new tables while
	 * the load builds their primary keys and ANALYZEs them, before the
	 * swap (read_early): early_want decided before the load starts; the
	 * load's copied hook sets copied (and copied_conn, the connection it
	 * committed them on); early is 0 until this thread decides, 1 while
	 * it reads, 2 once done or declined (the load's before_swap waits for 2).
	 */
	int early_want;
	pthread_mutex_t early_mu;
	pthread_cond_t early_cv;
	int copied, load_over, early;
	PGconn *copied_conn;
	PGconn *spare_conn;        /* the read-back's connection, idle after it, for analyze_start */
	int analyze_pending;       /* ... and it did: analyze_start (iko_load_analyze does both) */
	iko_load_table_result *loaded; /* the load's tables in schema order (names not owned): which it
					* analyzed before its swap, and how, for the manifest */
	size_t nloaded;
} rctx;

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void add_time(iko_rehearse_result *r, const char *stage, double secs)
{
	if (r->ntimes < 8) {
		r->times[r->ntimes].stage = stage;
		r->times[r->ntimes++].seconds = secs;
	}
}

static int add_count(iko_rehearse_result *r, const char *stage, const char *object,
		     long long in, long long out, long long rej, long long warn)
{
	iko_stage_count *c;

	if (r->ncounts >= IKO_STAGE_MAX)
		return 0;
	c = &r->counts[r->ncounts++];
	c->stage = stage;
	c->object = iko_strdup(object);
	c->in = in;
	c->out = out;
	c->rejected = rej;
	c->warnings = warn;
	c->balanced = in == out + rej;
	if (!c->balanced)
		r->balanced = 0;
	r->rejected_total += rej;
	r->warnings_total += warn;
	return c->object ? 0 : IKO_ENOMEM;
}

static char *sub(const char *run, const char *name)
{
	return iko_path_join(run, name);
}

/* Stages overlapped (transform beside extract, the load beside validate); IKO_REHEARSE_OVERLAP=0: one after the other. */
static int overlap_wanted(void)
{
	const char *e = getenv("IKO_REHEARSE_OVERLAP");

	return !(e && !strcmp(e, "0"));
}

/* reconcile's read-back before the swap (read_early); IKO_REHEARSE_READ_EARLY=0: after it, ANALYZE beside. */
static int read_early_wanted(void)
{
	const char *e = getenv("IKO_REHEARSE_READ_EARLY");

	return !(e && !strcmp(e, "0"));
}

/* The load ahead of validate (load_job); IKO_LOAD_AHEAD=0: beside validate, from its files. */
static int ahead_wanted(void)
{
	const char *e = getenv("IKO_LOAD_AHEAD");

	return !(e && !strcmp(e, "0"));
}

static int stage_extract(rctx *c, iko_follow *follow)
{
	const iko_rehearse_options *o = c->o;
	size_t i;
	int rc = 0;

	for (i = 0; i < iko_pack_ninputs(c->pack) && !rc; i++) {
		const iko_pack_input *in = iko_pack_input_at(c->pack, i);
		iko_extract_options eo = IKO_EXTRACT_OPTIONS_INIT;
		iko_extract_stats st;
		char *input = iko_path_join(o->muni->dump, in->file);
		char *rel, *out, *gaiji;
		size_t ntypes = 0;

		/*
		 * One record type: extract/<input name>.csv. Several (header,
		 * details, trailer): extract/<record name>.csv, one per type.
		 */
		if ((rc = iko_extract_layout_types(in->layout, &ntypes))) {
			free(input);
			return rc;
		}
		rel = ntypes > 1 ? iko_strdup("extract") : iko_aprintf("extract/%s.csv", in->name);
		out = rel ? sub(c->r->run_dir, rel) : NULL;
		gaiji = in->gaiji ? iko_path_join(o->muni->dump, in->gaiji) : NULL;
		free(rel);
		if (!input || !out || (in->gaiji && !gaiji)) {
			free(input);
			free(out);
			free(gaiji);
			return IKO_ENOMEM;
		}
		eo.layout_path = in->layout;
		eo.input = input;
		eo.out = out;
		eo.encoding = in->encoding;
		eo.recfm = in->recfm;
		eo.comp5 = in->comp5;
		eo.gaiji_path = gaiji;
		eo.progress = o->progress;
		eo.payload = o->payload;
		eo.follow = follow;
		memset(&st, 0, sizeof(st));
		rc = iko_extract_run(&st, &eo);
		if (!rc) {
			input_fp *fp = &c->inputs[c->ninputs < 31 ? c->ninputs++ : 31];
			fp->name = iko_strdup(in->file);
			fp->sha256 = iko_strdup(st.input_sha256);
			fp->bytes = st.bytes;
			rc = add_count(c->r, "extract", in->file, st.records_read, st.records_written,
				       st.records_rejected, st.gaiji_unmapped);
			c->r->gaiji_unmapped += st.gaiji_unmapped;
		}
		iko_extract_stats_release(&st);
		free(input);
		free(out);
		free(gaiji);
	}
	return rc;
}

/*
 * A stage's progress while it follows the one in front of it (transform
 * beside extract, the load beside validate): the terminal line is the
 * front stage's until that one is done, so until then the follower's
 * reports go to the reporter held (IKO_PROGRESS_HELD: they start its
 * clock, nothing is shown) and the latest is kept; front_finished shows
 * it, and the later reports go straight through.
 */
static void held_report(const char *stage, long long done, long long total, void *payload)
{
	held_progress *h = payload;
	rctx *c = h->c;

	pthread_mutex_lock(&c->prog_mu);
	if (h->front_done) {
		if (c->o->progress)
			c->o->progress(stage, done, total, c->o->payload);
	} else {
		h->stage = stage;
		h->done = done;
		h->total = total;
		/* not shown, but the reporter starts the stage's clock */
		if (c->o->progress)
			c->o->progress(stage, IKO_PROGRESS_HELD(done), total, c->o->payload);
	}
	pthread_mutex_unlock(&c->prog_mu);
}

static void front_finished(held_progress *h)
{
	rctx *c = h->c;

	pthread_mutex_lock(&c->prog_mu);
	h->front_done = 1;
	if (h->stage && c->o->progress)
		c->o->progress(h->stage, h->done, h->total, c->o->payload);
	pthread_mutex_unlock(&c->prog_mu);
}

/* Transform the run's extracted files into st; follow: while extract still writes them. */
static int run_transform(rctx *c, iko_follow *follow, held_progress *held, iko_transform_stats *st)
{
	iko_transform_options to = IKO_TRANSFORM_OPTIONS_INIT;
	char *in = sub(c->r->run_dir, "extract"), *out = sub(c->r->run_dir, "transform");
	int rc = IKO_ENOMEM;

	memset(st, 0, sizeof(*st));
	if (in && out) {
		to.pack_dir = c->o->muni->pack;
		to.lg_code = c->o->muni->lg_code;
		to.in_dir = in;
		to.out_dir = out;
		to.progress = held ? held_report : c->o->progress;
		to.payload = held ? (void *)held : c->o->payload;
		to.follow = follow;
		to.out_follow = c->tfollow;
		rc = iko_transform_run(st, &to);
	}
	free(in);
	free(out);
	return rc;
}

static int transform_counts(rctx *c, const iko_transform_stats *st)
{
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < st->ntables; i++)
		rc = add_count(c->r, "transform", st->tables[i].table, st->tables[i].records_in,
			       st->tables[i].records_out, st->tables[i].records_rejected, st->tables[i].warnings);
	return rc;
}

static int stage_transform(rctx *c)
{
	iko_transform_stats st;
	int rc = run_transform(c, NULL, NULL, &st);

	if (!rc)
		rc = transform_counts(c, &st);
	iko_transform_stats_release(&st);
	return rc;
}

/*
 * Transform beside extract: a helper thread transforms each extracted file
 * while extract still writes it (iko_follow.h), so transform maps the
 * records extract has written while extract decodes the next ones. The
 * files, their bytes and the counts are the ones the two stages make one
 * after the other. IKO_REHEARSE_OVERLAP=0 runs them one after the other.
 */
typedef struct transform_job {
	rctx *c;
	iko_follow *follow;
	held_progress held;
	iko_transform_stats st;
	pthread_t th;
	int rc;
	char *err;
	double secs;
} transform_job;

static void *transform_main(void *arg)
{
	transform_job *j = arg;
	double t0 = now_s();

	iko_test_pause("stage:transform");
	j->rc = iko_thread_keep_error(run_transform(j->c, j->follow, &j->held, &j->st), &j->err);
	j->secs = now_s() - t0;
	return NULL;
}

/*
 * Extract with transform beside it. A failed extract is the run's failure
 * (transform, reading what extract abandoned, stops too); the times are
 * each stage's own, so they overlap.
 */
static int extract_and_transform(rctx *c)
{
	transform_job j;
	double t0 = now_s();
	char *xerr = NULL;
	int rc, trc = 0, started = 0;

	memset(&j, 0, sizeof(j));
	j.c = c;
	j.held.c = c;
	if ((rc = iko_follow_new(&j.follow)))
		return rc;
	/*
	 * transform reads each extracted file once, right behind extract: it
	 * lets the pages it has read go, and the writes that follow (its own,
	 * the server's) take them while still cheap to write into
	 * (docs/performance.md, 2026-12-06 noon)
	 */
	if (iko_pack_inputs_read_once(c->pack))
		iko_follow_drop_read(j.follow, 1);
	iko_test_pause("stage:extract");
	c->r->failed_stage = "extract";
	if (iko_thread_start(&j.th, transform_main, &j) == 0)
		started = 1;
	rc = stage_extract(c, started ? j.follow : NULL);
	if (rc)
		xerr = iko_strdup(iko_error_message());
	else
		add_time(c->r, "extract", now_s() - t0);
	/* done, or every file not committed fails transform's reads */
	iko_follow_close(j.follow, !rc);
	front_finished(&j.held);
	if (started) {
		trc = iko_thread_join(j.th, &j.rc, &j.err);
	} else if (!rc) {
		double t1 = now_s();
		iko_test_pause("stage:transform");
		trc = run_transform(c, NULL, NULL, &j.st);
		j.secs = now_s() - t1;
	}
	/* validate, reading transform's files as they grow: every one is final now, or fails */
	if (c->tfollow)
		iko_follow_close(c->tfollow, !rc && !trc);
	if (rc) {
		iko_error_set(rc, "%s", xerr ? xerr : "out of memory");
	} else {
		c->r->failed_stage = "transform";
		if (!(rc = trc) && !(rc = transform_counts(c, &j.st)))
			add_time(c->r, "transform", j.secs);
	}
	iko_transform_stats_release(&j.st);
	iko_follow_free(j.follow);
	free(xerr);
	return rc;
}

/*
 * Validate the run's transformed files into st; follow: the load reads
 * validate's files as they are written; c->tfollow (and held): transform
 * is still writing its files, the first pass reads them as they grow.
 */
static int run_validate(rctx *c, iko_follow *follow, held_progress *held, iko_validate_stats *st)
{
	iko_validate_options vo = IKO_VALIDATE_OPTIONS_INIT;
	char *in = sub(c->r->run_dir, "transform"), *out = sub(c->r->run_dir, "validate");
	const char **tables = c->tfollow ? calloc(c->pack->ntables + 1, sizeof(*tables)) : NULL;
	size_t i, n = 0;
	int rc = IKO_ENOMEM;

	memset(st, 0, sizeof(*st));
	if (in && out && (tables || !c->tfollow)) {
		vo.schema = iko_pack_schema(c->pack);
		vo.in_dir = in;
		vo.out_dir = out;
		vo.lg_code = c->o->muni->lg_code;
		vo.charset_extra = (const char *const *)c->gaiji;
		vo.ncharset_extra = c->ngaiji;
		vo.progress = held ? held_report : c->o->progress;
		vo.payload = held ? (void *)held : c->o->payload;
		vo.follow = follow;
		/* a table that passes whole is linked, not copied, unless a load reads it as it is written */
		vo.link_unchanged = !follow || c->load_ahead;
		if (c->tfollow) {
			/* the tables transform writes: those the pack maps */
			for (i = 0; i < c->pack->ntables; i++)
				tables[n++] = c->pack->tables[i].table;
			vo.in_follow = c->tfollow;
			vo.tables = tables;
			vo.ntables = n;
		}
		rc = iko_validate_run(st, &vo);
	}
	free(tables);
	free(in);
	free(out);
	return rc;
}

/* A helper thread, if *started (then no longer): iko_thread_join. */
static int helper_join(int *started, pthread_t th, const int *rc, char **err)
{
	if (!*started)
		return 0;
	*started = 0;
	return iko_thread_join(th, rc, err);
}

static int validate_counts(rctx *c, const iko_validate_stats *st)
{
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < st->ntables; i++)
		rc = add_count(c->r, "validate", st->tables[i].table, st->tables[i].records_in,
			       st->tables[i].records_out, st->tables[i].records_rejected, st->tables[i].warnings);
	return rc;
}

static int stage_validate(rctx *c, iko_follow *follow)
{
	iko_validate_stats st;
	int rc = run_validate(c, follow, NULL, &st);

	if (!rc)
		rc = validate_counts(c, &st);
	iko_validate_stats_release(&st);
	return rc;
}

/*
 * Validate beside transform (beside extract): a helper thread starts
 * validate with the rehearsal, and its first pass (the keys of every
 * table) reads transform's files as transform writes them (iko_follow.h),
 * so that the second pass, and the load that follows it, can start as
 * soon as transform has finished instead of after a pass of its own over
 * every file. Its counts and time are added when it is joined.
 */
typedef struct validate_job {
	rctx *c;
	iko_follow *follow;        /* validate's outputs, for the load */
	held_progress held;
	iko_validate_stats st;
	pthread_t th;
	int started, rc;
	char *err;
	double secs;
} validate_job;

static void *validate_main(void *arg)
{
	validate_job *j = arg;
	double t0 = now_s();

	iko_test_pause("stage:validate");
	j->rc = iko_thread_keep_error(run_validate(j->c, j->follow, &j->held, &j->st), &j->err);
	j->secs = now_s() - t0;
	return NULL;
}

/* Wait for the validate thread (if any); its error, if it had one, becomes this thread's. */
static int validate_join(validate_job *j)
{
	return helper_join(&j->started, j->th, &j->rc, &j->err);
}

/*
 * The gaiji tables validate accepts: those of the pack's inputs, in the
 * dump, listed once before any stage runs (validate may start beside
 * extract, or after stages reused from another run).
 */
static int pack_gaiji(rctx *c)
{
	size_t i;

	for (i = 0; i < iko_pack_ninputs(c->pack) && c->ngaiji < 8; i++) {
		const iko_pack_input *in = iko_pack_input_at(c->pack, i);
		if (!in->gaiji)
			continue;
		if (!(c->gaiji[c->ngaiji] = iko_path_join(c->o->muni->dump, in->gaiji)))
			return iko_error_set(IKO_ENOMEM, "out of memory");
		c->ngaiji++;
	}
	return 0;
}

/* The load's hooks (iko_load_options.copied, before_swap) for read_early. */
static void early_copied(void *arg, PGconn *conn)
{
	rctx *c = arg;

	pthread_mutex_lock(&c->early_mu);
	c->copied = 1;
	c->copied_conn = conn;
	pthread_cond_broadcast(&c->early_cv);
	pthread_mutex_unlock(&c->early_mu);
}

static void early_before_swap(void *arg)
{
	rctx *c = arg;

	pthread_mutex_lock(&c->early_mu);
	while (c->early != 2)
		pthread_cond_wait(&c->early_cv, &c->early_mu);
	pthread_mutex_unlock(&c->early_mu);
}

/* This thread's decision is made (or the read is over): the load may swap. */
static void early_settle(rctx *c)
{
	if (!c->early_want)
		return;
	pthread_mutex_lock(&c->early_mu);
	c->early = 2;
	pthread_cond_broadcast(&c->early_cv);
	pthread_mutex_unlock(&c->early_mu);
}

/*
 * The record comparison of reconcile, read from the load's _new tables
 * once every table's rows are committed, on a connection of its own, while
 * the load builds their primary keys (a unique index, which lets readers
 * in) and ANALYZEs them: the server reads the rows on one core while it
 * indexes on the other, where after the swap the read would follow the
 * primary keys. The swap waits for it (early_before_swap); it renames
 * the tables it read and changes no row. Declined when the load ended
 * first (an error) or committed on another server (a shard), and on any
 * error (reconcile then reads the swapped-in tables, as without).
 */
static void read_early(rctx *c, PGconn *conn)
{
	PGconn *rc_conn;
	double t;
	int go;

	if (!c->early_want)
		return;
	/* connected while the copies still run: a new server process takes
	 * 10-20 ms here, no longer between the commit and the first row read */
	rc_conn = iko_db_connect_like(conn);
	pthread_mutex_lock(&c->early_mu);
	while (!c->copied && !c->load_over)
		pthread_cond_wait(&c->early_cv, &c->early_mu);
	go = c->copied && c->copied_conn == conn && c->prep && c->early == 0;
	if (go)
		c->early = 1;
	pthread_mutex_unlock(&c->early_mu);
	if (go) {
		t = now_s();
		if (rc_conn == NULL || iko_reconcile_read_early(c->prep, rc_conn, c->o->muni->lg_code, "_new")) {
			iko_error_clear();
		} else {
			add_time(c->r, "read_back", now_s() - t);
			/* idle and clean (the read-back resets what it set): the drop after the swap takes it */
			if (PQstatus(rc_conn) == CONNECTION_OK && PQtransactionStatus(rc_conn) == PQTRANS_IDLE) {
				c->spare_conn = rc_conn;
				rc_conn = NULL;
			}
		}
	}
	PQfinish(rc_conn);
	early_settle(c);
}

/*
 * Load the run's validated files into lr; follow: while validate still
 * writes them; ahead: ahead of validate, from transform's files as
 * transform writes them (c->tfollow; iko_load_options.ahead_dir).
 */
static int run_load(rctx *c, PGconn *conn, iko_follow *follow, int ahead, iko_load_result *lr)
{
	iko_load_options lo = IKO_LOAD_OPTIONS_INIT;
	char *in = sub(c->r->run_dir, "validate"), *sizes = follow ? sub(c->r->run_dir, "transform") : NULL;
	int rc = IKO_ENOMEM;

	memset(lr, 0, sizeof(*lr));
	if (in && (!follow || sizes)) {
		lo.conn = conn;
		lo.schema = c->schema;
		lo.lg_code = c->o->muni->lg_code;
		lo.in_dir = in;
		lo.run_id = c->r->run_id;
		lo.progress = follow ? held_report : c->o->progress;
		lo.payload = follow ? (void *)&c->load_held : c->o->payload;
		lo.follow = follow;
		lo.size_dir = sizes;
		/* the load job, with reconcile's read before its swap: ANALYZE before the swap, beside that read */
		lo.defer_analyze = c->defer_analyze && !(follow && c->early_want);
		/* ... and dropping the generation set aside, beside reconcile all the same (analyze_start) */
		lo.defer_drop = c->defer_analyze;
		if (ahead) {
			lo.ahead_dir = sizes;
			lo.ahead_follow = c->tfollow;
		}
		/* beside this thread (the load job): it reads the _new tables before the swap */
		if (follow && c->early_want) {
			lo.copied = early_copied;
			lo.before_swap = early_before_swap;
			lo.hook_arg = c;
		}
		rc = iko_load_routed(lr, &lo, NULL);
	}
	free(sizes);
	free(in);
	return rc;
}

/* The load's counts beside validate's (after both are done), and whether its ANALYZE is still due. */
static int load_counts(rctx *c, const iko_load_result *lr)
{
	size_t i, k;
	int rc = 0;

	c->analyze_pending = lr->analyze_deferred || lr->drop_deferred;
	free(c->loaded);
	c->nloaded = 0;
	if (!(c->loaded = calloc(lr->ntables + 1, sizeof(*c->loaded))))
		return iko_error_set(IKO_ENOMEM, "out of memory");
	for (i = 0; i < lr->ntables; i++) {
		c->loaded[i] = lr->tables[i];
		c->loaded[i].table = NULL; /* the schema's name, when written */
	}
	c->nloaded = lr->ntables;
	for (i = 0; !rc && i < lr->ntables; i++) {
		long long expected = -1;
		for (k = 0; k < c->r->ncounts; k++)
			if (!strcmp(c->r->counts[k].stage, "validate") &&
			    !strcmp(c->r->counts[k].object, lr->tables[i].table))
				expected = c->r->counts[k].out;
		rc = add_count(c->r, "load", lr->tables[i].table, expected, lr->tables[i].rows,
			       expected >= 0 ? expected - lr->tables[i].rows : 0, 0);
		c->r->loaded_rows += lr->tables[i].rows;
	}
	return rc;
}

static int stage_load(rctx *c, PGconn *conn)
{
	iko_load_result lr;
	int rc = run_load(c, conn, NULL, 0, &lr);

	if (!rc)
		rc = load_counts(c, &lr);
	iko_load_result_release(&lr);
	return rc;
}

/*
 * ANALYZE beside reconcile: the load swaps the new tables in without
 * statistics (defer_analyze), and a helper thread on a connection of its
 * own analyzes them while reconcile reads them (ANALYZE does not block
 * readers); the rehearsal ends only after both. A second connection that
 * cannot be made: ANALYZE on this one, before reconcile.
 */
typedef struct analyze_job {
	rctx *c;
	PGconn *conn;
	pthread_t th;
	int started, rc;
	char *err;
	double secs;
} analyze_job;

static void *analyze_main(void *arg)
{
	analyze_job *j = arg;
	double t = now_s();

	j->rc = iko_thread_keep_error(iko_load_analyze(j->conn, j->c->schema, j->c->o->muni->lg_code, j->c->loaded),
				      &j->err);
	j->secs = now_s() - t;
	return NULL;
}

static int analyze_start(rctx *c, PGconn *conn, analyze_job *j)
{
	double t = now_s();
	int rc;

	j->c = c;
	/* the read-back's connection when it has one to spare, else a new one */
	j->conn = c->spare_conn ? c->spare_conn : iko_db_connect_like(conn);
	c->spare_conn = NULL;
	if (j->conn != NULL && iko_thread_start(&j->th, analyze_main, j) == 0) {
		j->started = 1;
		return 0;
	}
	rc = iko_load_analyze(j->conn ? j->conn : conn, c->schema, c->o->muni->lg_code, c->loaded);
	add_time(c->r, "analyze", now_s() - t);
	return rc;
}

/* Wait for the ANALYZE thread (if any); its error, if it had one, becomes this thread's. */
static int analyze_join(rctx *c, analyze_job *j)
{
	int rc = 0;

	if (j->started) {
		j->started = 0;
		if (!(rc = iko_thread_join(j->th, &j->rc, &j->err)))
			add_time(c->r, "analyze", j->secs);
	}
	PQfinish(j->conn);
	j->conn = NULL;
	return rc;
}

/*
 * The load beside validate: a helper thread loads the validated files as
 * validate writes them (iko_follow.h), so the server copies the first
 * table while validate checks the next, and the swap waits for validate to
 * finish whole. IKO_REHEARSE_OVERLAP=0 runs validate, then the load.
 */
typedef struct load_job {
	rctx *c;
	PGconn *conn;
	iko_follow *follow;
	int ahead;                /* ahead of validate (run_load) */
	iko_load_result lr;
	pthread_t th;
	int started, rc;
	char *err;
	double t0;
} load_job;

static void *load_main(void *arg)
{
	load_job *j = arg;

	iko_test_pause("stage:load");
	j->rc = iko_thread_keep_error(run_load(j->c, j->conn, j->follow, j->ahead, &j->lr), &j->err);
	pthread_mutex_lock(&j->c->early_mu);
	j->c->load_over = 1;
	pthread_cond_broadcast(&j->c->early_cv);
	pthread_mutex_unlock(&j->c->early_mu);
	return NULL;
}

/* Wait for the load thread (if any); its error, if it had one, becomes this thread's. */
static int load_join(load_job *j)
{
	return helper_join(&j->started, j->th, &j->rc, &j->err);
}

/* What reconcile reads (the same for iko_reconcile_prepare and _run). */
static void reconcile_options(rctx *c, PGconn *conn, iko_reconcile_options *ro)
{
	ro->run_dir = c->r->run_dir;
	ro->schema = iko_pack_schema(c->pack);
	ro->pack_dir = c->o->muni->pack;
	ro->dump_dir = c->o->muni->dump;
	ro->lg_code = c->o->muni->lg_code;
	ro->conn = conn;
}

/*
 * A helper thread reads what reconcile needs from the run's files: the old
 * totals, the transformed data's figures and the validated records. With
 * records_later it starts beside validate (whose first pass leaves a core
 * idle part of the time, where the load's copy keeps both busy) and reads
 * the validated records once iko_reconcile_prep_records says validate is
 * done; else it starts after validate, beside the load.
 */
static int start_reconcile(rctx *c, PGconn *conn, int records_later)
{
	iko_reconcile_options ro = IKO_RECONCILE_OPTIONS_INIT;

	reconcile_options(c, conn, &ro);
	ro.records_later = records_later;
	return iko_reconcile_prepare(&c->prep, &ro);
}

static int stage_reconcile(rctx *c, PGconn *conn)
{
	iko_reconcile_options ro = IKO_RECONCILE_OPTIONS_INIT;
	iko_reconcile_result rr;
	const char *names[32], *shas[32];
	char *xlsx = sub(c->r->run_dir, "reports/discrepancies.xlsx"), *rep = sub(c->r->run_dir, "reports");
	size_t i;
	int rc = IKO_ENOMEM;

	if (xlsx && rep && !(rc = iko_mkdir_p(rep, 1))) {
		for (i = 0; i < c->ninputs; i++) {
			names[i] = c->inputs[i].name;
			shas[i] = c->inputs[i].sha256;
		}
		reconcile_options(c, conn, &ro);
		ro.prep = c->prep;
		ro.xlsx_path = xlsx;
		ro.reveal = c->o->reveal;
		ro.municipality = c->o->muni->name;
		ro.run_id = c->r->run_id;
		ro.tool_version = IKO_VERSION;
		ro.ninputs = c->ninputs;
		ro.input_names = names;
		ro.input_sha256 = shas;
		rc = iko_reconcile_run(&rr, &ro);
		if (!rc) {
			c->r->measures_pass = rr.pass;
			c->r->measures_warn = rr.warn;
			c->r->measures_fail = rr.fail;
			c->r->records_only_source = rr.only_source;
			c->r->records_only_target = rr.only_target;
			c->r->records_mismatch = rr.mismatch;
			c->r->xlsx = xlsx;
			xlsx = NULL;
			c->r->legacy_note = rr.legacy_note;
			rr.legacy_note = NULL;
		}
		iko_reconcile_result_release(&rr);
	}
	free(xlsx);
	free(rep);
	return rc;
}

static int write_manifest(rctx *c, int failed_rc)
{
	iko_rehearse_result *r = c->r;
	iko_buf b = IKO_BUF_INIT;
	iko_json j;
	char when[21];
	size_t i;
	int rc;

	iko_now_iso(when);
	iko_json_init(&j, &b);
	iko_json_object_begin(&j);
	iko_json_kv_str(&j, "run_id", r->run_id);
	iko_json_kv_str(&j, "lg_code", c->o->muni->lg_code);
	iko_json_kv_str(&j, "business", c->o->muni->business);
	iko_json_kv_str(&j, "lessons_inherited", c->r->lessons);
	iko_json_kv_str(&j, "municipality", c->o->muni->name);
	iko_json_kv_str(&j, "project", c->o->project->path);
	iko_json_kv_str(&j, "pack_dir", c->o->muni->pack);
	iko_json_kv_str(&j, "dump", c->o->muni->dump);
	iko_json_kv_str(&j, "db_dir", c->o->project->db_dir);
	iko_json_kv_str(&j, "finished", when);
	iko_json_kv_str(&j, "status", failed_rc ? "failed" : r->stopped_after ? "partial" : "completed");
	if (!failed_rc && r->stopped_after)
		iko_json_kv_str(&j, "stopped_after", r->stopped_after);
	if (r->reused_from[0])
		iko_json_kv_str(&j, "reused_from", r->reused_from);
	if (failed_rc) {
		iko_json_kv_str(&j, "failed_stage", r->failed_stage);
		iko_json_kv_str(&j, "error", iko_error_message());
	}
	iko_json_key(&j, "versions");
	iko_json_object_begin(&j);
	iko_json_kv_str(&j, "iko", IKO_VERSION);
	iko_json_kv_str(&j, "schema", c->schema ? c->schema->name : NULL);
	iko_json_kv_str(&j, "schema_version", c->schema ? c->schema->version : NULL);
	iko_json_kv_str(&j, "pack", c->pack ? iko_pack_name(c->pack) : NULL);
	iko_json_kv_str(&j, "pack_version", c->pack ? iko_pack_version(c->pack) : NULL);
	iko_json_kv_str(&j, "overlay", c->pack ? iko_pack_overlay(c->pack) : NULL);
	iko_json_object_end(&j);
	iko_json_key(&j, "inputs");
	iko_json_array_begin(&j);
	for (i = 0; i < c->ninputs; i++) {
		iko_json_object_begin(&j);
		iko_json_kv_str(&j, "file", c->inputs[i].name);
		iko_json_kv_str(&j, "sha256", c->inputs[i].sha256);
		iko_json_kv_int(&j, "bytes", c->inputs[i].bytes);
		iko_json_object_end(&j);
	}
	iko_json_array_end(&j);
	iko_json_key(&j, "timings");
	iko_json_object_begin(&j);
	for (i = 0; i < r->ntimes; i++) {
		iko_json_key(&j, r->times[i].stage);
		iko_json_double(&j, r->times[i].seconds);
	}
	iko_json_key(&j, "total");
	iko_json_double(&j, r->seconds);
	iko_json_object_end(&j);
	iko_json_key(&j, "counts");
	iko_json_array_begin(&j);
	for (i = 0; i < r->ncounts; i++) {
		const iko_stage_count *sc = &r->counts[i];
		iko_json_object_begin(&j);
		iko_json_kv_str(&j, "stage", sc->stage);
		iko_json_kv_str(&j, "object", sc->object);
		iko_json_kv_int(&j, "in", sc->in);
		iko_json_kv_int(&j, "out", sc->out);
		iko_json_kv_int(&j, "rejected", sc->rejected);
		iko_json_kv_int(&j, "warnings", sc->warnings);
		iko_json_key(&j, "balanced");
		iko_json_bool(&j, sc->balanced);
		iko_json_object_end(&j);
	}
	iko_json_array_end(&j);
	iko_json_key(&j, "balanced");
	iko_json_bool(&j, r->balanced);
	if (c->nloaded && c->schema) {
		/* how each table was loaded: ahead of validate, and the rows validate's rejects took back */
		iko_json_key(&j, "load");
		iko_json_array_begin(&j);
		for (i = 0; i < c->nloaded && i < c->schema->ntables; i++) {
			iko_json_object_begin(&j);
			iko_json_kv_str(&j, "table", c->schema->tables[i].name);
			iko_json_kv_int(&j, "rows", c->loaded[i].rows);
			iko_json_key(&j, "ahead_of_validate");
			iko_json_bool(&j, c->loaded[i].ahead);
			iko_json_kv_int(&j, "deleted_after_validate", c->loaded[i].ahead_deleted);
			iko_json_object_end(&j);
		}
		iko_json_array_end(&j);
	}
	iko_json_key(&j, "reconcile");
	iko_json_object_begin(&j);
	iko_json_kv_int(&j, "measures_pass", r->measures_pass);
	iko_json_kv_int(&j, "measures_warn", r->measures_warn);
	iko_json_kv_int(&j, "measures_fail", r->measures_fail);
	iko_json_kv_int(&j, "records_only_in_source", r->records_only_source);
	iko_json_kv_int(&j, "records_only_in_target", r->records_only_target);
	iko_json_kv_int(&j, "records_mismatch", r->records_mismatch);
	iko_json_kv_int(&j, "rejected", r->rejected_total);
	iko_json_kv_int(&j, "warnings", r->warnings_total);
	iko_json_kv_int(&j, "gaiji_unmapped", r->gaiji_unmapped);
	iko_json_kv_str(&j, "workbook", r->xlsx ? "reports/discrepancies.xlsx" : NULL);
	iko_json_object_end(&j);
	iko_json_object_end(&j);
	rc = iko_json_finish(&j);
	if (!rc)
		rc = iko_json_write_file(r->manifest, &b);
	iko_buf_release(&b);
	return rc;
}

static const char *const stage_names[] = { "extract", "transform", "validate", "load", "reconcile" };

int iko_rehearse_stage_index(const char *name)
{
	int i;

	for (i = 0; name && i < 5; i++)
		if (!strcmp(stage_names[i], name))
			return i;
	return -1;
}

/* Link (or, across file systems, copy) the tree from into to. */
static int link_tree(const char *from, const char *to)
{
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if ((rc = iko_mkdir_p(to, 1)))
		return rc;
	if (!(d = opendir(from)))
		return iko_error_set_errno(IKO_EIO, "cannot read %s", from);
	while (!rc && (e = readdir(d)) != NULL) {
		char *a, *b;
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		a = iko_path_join(from, e->d_name);
		b = iko_path_join(to, e->d_name);
		if (!a || !b)
			rc = IKO_ENOMEM;
		else if (lstat(a, &st) != 0)
			rc = iko_error_set_errno(IKO_EIO, "cannot stat %s", a);
		else if (S_ISDIR(st.st_mode))
			rc = link_tree(a, b);
		else if (S_ISREG(st.st_mode) && link(a, b) != 0)
			rc = iko_copy_file(a, b, st.st_mode & 0777, 0);
		free(a);
		free(b);
	}
	closedir(d);
	return rc;
}

/*
 * --from: find the latest earlier run of this municipality and business
 * that got past the stages before `from`, and take them over.
 */
static int reuse_stages(rctx *c, int from)
{
	const iko_rehearse_options *o = c->o;
	iko_rehearse_result *r = c->r;
	char *base = iko_path_join(o->project->runs, o->muni->lg_code);
	int best = -1, n, k, rc = 0;
	size_t i;
	iko_yaml_doc *man = NULL;
	const iko_yaml_node *m, *counts, *inputs;

	if (!base)
		return IKO_ENOMEM;
	/* candidates, newest first */
	for (n = atoi(r->run_id + 1) - 1; n >= 1 && best < 0; n--) {
		char id[16], *dir, *mp;
		const char *failed;
		int ok;
		snprintf(id, sizeof(id), "R%03d", n);
		dir = iko_path_join(base, id);
		mp = dir ? iko_path_join(dir, "manifest.json") : NULL;
		if (!mp) {
			free(dir);
			rc = IKO_ENOMEM;
			break;
		}
		if (iko_path_exists(mp) && iko_yaml_load_file(&man, mp) == 0) {
			m = iko_yaml_root(man);
			failed = iko_yaml_str(m, "failed_stage", NULL);
			ok = !strcmp(iko_yaml_str(m, "business", ""), o->muni->business) &&
			     (!strcmp(iko_yaml_str(m, "status", ""), "completed") ||
			      !strcmp(iko_yaml_str(m, "status", ""), "partial") ||
			      (failed && iko_rehearse_stage_index(!strcmp(failed, "connect") ? "load" : failed) >= from));
			/* a partial run counts only if it got that far */
			if (ok && !strcmp(iko_yaml_str(m, "status", ""), "partial"))
				ok = iko_rehearse_stage_index(iko_yaml_str(m, "stopped_after", "")) >= from - 1;
			for (k = 0; ok && k < from && k < 3; k++) {
				char *sd = iko_path_join(dir, stage_names[k]);
				ok = sd && iko_is_dir(sd);
				free(sd);
			}
			if (ok) {
				best = n;
				snprintf(r->reused_from, sizeof(r->reused_from), "%s", id);
				for (k = 0; !rc && k < from && k < 3; k++) {
					char *sd = iko_path_join(dir, stage_names[k]), *td = iko_path_join(r->run_dir, stage_names[k]);
					rc = sd && td ? link_tree(sd, td) : IKO_ENOMEM;
					free(sd);
					free(td);
				}
				free(dir);
				free(mp);
				break;
			}
			iko_yaml_free(man);
			man = NULL;
		}
		free(dir);
		free(mp);
	}
	if (best < 0) {
		if (!rc)
			rc = iko_error_set(IKO_ENOTFOUND,
					   "--from %s: no earlier run of %s (%s) got past %s; run the stages before it first",
					   stage_names[from], o->muni->lg_code, o->muni->business, stage_names[from - 1]);
		free(base);
		return rc;
	}
	/* counts and fingerprints of the reused stages */
	m = iko_yaml_root(man);
	counts = iko_yaml_get(m, "counts");
	for (i = 0; !rc && i < iko_yaml_count(counts); i++) {
		const iko_yaml_node *cn = iko_yaml_at(counts, i);
		int si = iko_rehearse_stage_index(iko_yaml_str(cn, "stage", ""));
		if (si < 0 || si >= from)
			continue;
		rc = add_count(r, stage_names[si], iko_yaml_str(cn, "object", "-"),
			       strtoll(iko_yaml_str(cn, "in", "0"), NULL, 10), strtoll(iko_yaml_str(cn, "out", "0"), NULL, 10),
			       strtoll(iko_yaml_str(cn, "rejected", "0"), NULL, 10),
			       strtoll(iko_yaml_str(cn, "warnings", "0"), NULL, 10));
		if (si == 0)
			r->gaiji_unmapped += strtoll(iko_yaml_str(cn, "warnings", "0"), NULL, 10);
		if (si == 3)
			r->loaded_rows += strtoll(iko_yaml_str(cn, "out", "0"), NULL, 10);
	}
	inputs = iko_yaml_get(m, "inputs");
	for (i = 0; !rc && i < iko_yaml_count(inputs) && c->ninputs < 32; i++) {
		const iko_yaml_node *in = iko_yaml_at(inputs, i);
		input_fp *fp = &c->inputs[c->ninputs++];
		fp->name = iko_strdup(iko_yaml_str(in, "file", ""));
		fp->sha256 = iko_strdup(iko_yaml_str(in, "sha256", ""));
		fp->bytes = strtoll(iko_yaml_str(in, "bytes", "0"), NULL, 10);
		if (!fp->name || !fp->sha256)
			rc = IKO_ENOMEM;
	}
	iko_yaml_free(man);
	free(base);
	return rc;
}

#define STAGE(name, call)                                   \
	do {                                                \
		double t_ = now_s();                        \
		iko_test_pause("stage:" name);              \
		r->failed_stage = name;                     \
		if ((rc = (call)))                          \
			goto done;                          \
		add_time(r, name, now_s() - t_);            \
	} while (0)

int iko_rehearse_run(iko_rehearse_result *r, const iko_rehearse_options *o)
{
	rctx c;
	PGconn *conn = NULL;
	iko_follow *follow = NULL;
	char *failure = NULL;
	int hrc, arc;
	load_job job;
	validate_job vj;
	analyze_job aj;
	double t0 = now_s();
	const char *dsn;
	size_t i;
	int rc, mrc, first, last;

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	memset(&job, 0, sizeof(job));
	memset(&vj, 0, sizeof(vj));
	memset(&aj, 0, sizeof(aj));
	first = o->from ? iko_rehearse_stage_index(o->from) : 0;
	last = o->to ? iko_rehearse_stage_index(o->to) : 4;
	if (first < 0 || last < 0)
		return iko_error_set(IKO_EINVAL, "unknown stage %s: extract, transform, validate, load or reconcile",
				     first < 0 ? o->from : o->to);
	if (first > last)
		return iko_error_set(IKO_EINVAL, "--from %s comes after --to %s", o->from, o->to);
	c.o = o;
	c.r = r;
	r->balanced = 1;
	if ((rc = iko_run_create(&r->run_dir, &r->run_id, o->project->runs, o->muni->lg_code)))
		return rc;
	if (!(r->manifest = iko_path_join(r->run_dir, "manifest.json")))
		return IKO_ENOMEM;
	pthread_mutex_init(&c.prog_mu, NULL); /* destroyed at done: */
	pthread_mutex_init(&c.early_mu, NULL);
	pthread_cond_init(&c.early_cv, NULL);
	c.load_held.c = &c;
	r->failed_stage = "setup";
	if (!iko_is_dir(o->muni->dump)) {
		rc = iko_error_set(IKO_ENOTFOUND, "dump directory %s does not exist", o->muni->dump);
		goto done;
	}
	if ((rc = iko_pack_load(&c.pack, o->muni->pack, o->muni->lg_code)) ||
	    (rc = iko_schema_load_named(&c.schema, iko_pack_schema(c.pack))))
		goto lessons_done;
	{
		/* the lessons this rehearsal inherits for its vendor and business */
		char *lp = iko_lesson_path(o->project->path);
		iko_lessons ls;
		size_t k;
		if (lp && iko_lessons_load(&ls, lp) == 0) {
			for (k = 0; k < ls.n; k++)
				if (iko_lesson_applies(&ls.l[k], c.pack->vendor, c.pack->business) &&
				    strlen(r->lessons) + strlen(ls.l[k].id) + 3 < sizeof(r->lessons))
					snprintf(r->lessons + strlen(r->lessons),
						 sizeof(r->lessons) - strlen(r->lessons), "%s%s",
						 r->lessons[0] ? ", " : "", ls.l[k].id);
			iko_lessons_free(&ls);
		}
		free(lp);
	}
lessons_done:
	if (rc || (rc = pack_gaiji(&c)))
		goto done;
	if (first > 0) {
		r->failed_stage = "setup";
		if ((rc = reuse_stages(&c, first)))
			goto done;
	}
	dsn = o->db ? o->db : o->project->db;
	c.early_want = last >= 4 && overlap_wanted() && read_early_wanted();
	c.defer_analyze = last >= 4 && overlap_wanted();
	/* validate's files, for a load beside it (if the server can be reached) */
	if (first <= 2 && last >= 3 && overlap_wanted() && (rc = iko_follow_new(&follow)))
		goto done;
	if (first <= 2 && last >= 3 && overlap_wanted()) {
		/* connected first, so the load can start beside validate; a server
		 * that cannot be reached is reported after validate, as without.
		 * Before any helper thread: starting the embedded server checks
		 * its directory from a forked child (iko_db_connect), which must
		 * not be forked while other threads hold locks */
		double t_ = now_s();
		iko_test_pause("stage:connect");
		if (iko_db_connect(&conn, dsn, o->project->db_dir) == 0) {
			add_time(r, "connect", now_s() - t_);
			job.c = &c;
			job.conn = conn;
			job.follow = follow;
		} else {
			iko_error_clear();
			conn = NULL;
		}
	}
	if (first <= 0 && last >= 2 && overlap_wanted()) {
		/* validate beside transform, with the rehearsal (validate_job) */
		if ((rc = iko_follow_new(&c.tfollow)))
			goto done;
		vj.c = &c;
		vj.follow = follow;
		vj.held.c = &c;
		/* decided before validate starts (its link_unchanged); a load that cannot start here
		 * reads validate's files later, each once it is whole */
		c.load_ahead = last >= 3 && follow && job.conn && ahead_wanted();
		if (iko_thread_start(&vj.th, validate_main, &vj) == 0) {
			vj.started = 1;
			/* the load too, ahead of validate: from transform's files as they are written */
			if (c.load_ahead) {
				job.ahead = 1;
				job.t0 = now_s();
				if (iko_thread_start(&job.th, load_main, &job) == 0)
					job.started = 1;
				else
					job.ahead = 0;
			}
		} else {
			/* validate after transform, as without */
			c.load_ahead = 0;
			iko_follow_free(c.tfollow);
			c.tfollow = NULL;
		}
	}
	if (first <= 0 && last >= 1 && overlap_wanted()) {
		if ((rc = extract_and_transform(&c)))
			goto done;
		if (vj.started)
			front_finished(&vj.held);
	} else {
		if (first <= 0 && last >= 0)
			STAGE("extract", stage_extract(&c, NULL));
		if (first <= 1 && last >= 1)
			STAGE("transform", stage_transform(&c));
	}
	if (first <= 2 && last >= 2) {
		double t_ = now_s(), secs;
		r->failed_stage = "validate";
		if (!vj.started)
			iko_test_pause("stage:validate");
		if (!job.started) {
			job.t0 = now_s();
			if (follow && job.conn && iko_thread_start(&job.th, load_main, &job) == 0)
				job.started = 1;
		}
		/* not started here (an error): started after validate, which reports it */
		if (follow && job.conn && last >= 4 && start_reconcile(&c, conn, 1))
			iko_error_clear();
		if (vj.started) {
			/* beside transform, following it: it ends here (its own time) */
			if (!(rc = validate_join(&vj)))
				rc = validate_counts(&c, &vj.st);
			secs = vj.secs;
		} else {
			rc = stage_validate(&c, job.started ? follow : NULL);
			secs = now_s() - t_;
		}
		front_finished(&c.load_held);
		if (rc)
			goto done; /* the load, if started, stops before its swap and is joined below */
		add_time(r, "validate", secs);
		iko_reconcile_prep_records(c.prep);
	}
	if (last >= 3 && !conn)
		STAGE("connect", iko_db_connect(&conn, dsn, o->project->db_dir));
	if (first <= 3 && last >= 4 && !c.prep) {
		r->failed_stage = "reconcile";
		if ((rc = start_reconcile(&c, conn, 0)))
			goto done;
	}
	/* validate has finished whole and reconcile can follow: the load beside
	 * validate may swap (until now it could only fill its _new tables) */
	if (follow)
		iko_follow_close(follow, 1);
	if (job.started) {
		r->failed_stage = "load";
		read_early(&c, conn);
		if ((rc = load_join(&job)) || (rc = load_counts(&c, &job.lr)))
			goto done;
		add_time(r, "load", now_s() - job.t0);
	} else if (first <= 3 && last >= 3) {
		STAGE("load", stage_load(&c, conn));
	}
	if (c.analyze_pending) {
		r->failed_stage = "load";
		if ((rc = analyze_start(&c, conn, &aj)))
			goto done;
	}
	if (last >= 4)
		STAGE("reconcile", stage_reconcile(&c, conn));
	r->failed_stage = "load";
	if ((rc = analyze_join(&c, &aj)))
		goto done;
	r->failed_stage = NULL;
	if (last < 4)
		r->stopped_after = stage_names[last];
done:
	/* the failure's message, kept: the helpers still running are joined
	 * below, and writing the manifest and the evidence (which reads every
	 * file of the run) must not replace it */
	failure = rc ? iko_strdup(iko_error_message()) : NULL;
	if (c.tfollow)
		iko_follow_close(c.tfollow, 0); /* a validate still reading transform's files fails */
	validate_join(&vj);                  /* its error comes after the run's own */
	if (follow)
		iko_follow_close(follow, 0); /* a load still running stops before its swap */
	early_settle(&c);                    /* ... or waits for nothing before it */
	hrc = load_join(&job);
	/* reconcile failed: the tables are live, their ANALYZE finishes all the same */
	arc = analyze_join(&c, &aj);
	if (!rc && (hrc || arc)) {
		rc = arc ? arc : hrc; /* the message is the last one set */
		failure = iko_strdup(iko_error_message());
	}
	if (failure)
		iko_error_set(rc, "%s", failure);
	iko_load_result_release(&job.lr);
	iko_validate_stats_release(&vj.st);
	iko_follow_free(follow);
	iko_follow_free(c.tfollow);
	r->seconds = now_s() - t0;
	mrc = write_manifest(&c, rc);
	if (!rc)
		rc = mrc;
	if (conn && r->manifest && PQstatus(conn) == CONNECTION_OK) {
		/* the run in the database too: iko_meta.runs (manifest as jsonb) */
		char *json = NULL;
		size_t jlen;
		if (iko_read_small_file(&json, &jlen, r->manifest) == 0) {
			const char *p[5] = { o->muni->lg_code, o->muni->business, r->run_id,
					     r->failed_stage ? "failed" : r->stopped_after ? "partial" : "completed", json };
			PGresult *res = PQexec(conn,
				"CREATE SCHEMA IF NOT EXISTS iko_meta;\n"
				"CREATE TABLE IF NOT EXISTS iko_meta.runs (lg_code text NOT NULL, business text NOT NULL,"
				" run_id text NOT NULL, status text NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now(),"
				" manifest jsonb NOT NULL, PRIMARY KEY (lg_code, business, run_id))");
			int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
			PQclear(res);
			if (ok) {
				res = PQexecParams(conn,
					"INSERT INTO iko_meta.runs (lg_code, business, run_id, status, manifest)"
					" VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT (lg_code, business, run_id)"
					" DO UPDATE SET status = EXCLUDED.status, manifest = EXCLUDED.manifest,"
					" recorded_at = now()", 5, NULL, p, NULL, NULL, 0);
				ok = PQresultStatus(res) == PGRES_COMMAND_OK;
				PQclear(res);
			}
			if (!ok && !rc)
				rc = iko_error_set(IKO_EDB, "cannot record the run in iko_meta.runs: %s",
						   PQerrorMessage(conn));
		}
		free(json);
	}
	if (r->run_dir) {
		/* evidence.zip: manifests, rejects, reconciliation, workbook, SHA256SUMS —
		 * also for a failed run, which is evidence too */
		size_t nmem;
		int erc = iko_evidence_write(r->run_dir, &nmem);
		if (!rc)
			rc = erc;
	}
	if (failure) {
		iko_error_set(rc, "%s", failure);
		free(failure);
	}
	iko_reconcile_prep_free(c.prep);
	free(c.loaded);
	pthread_mutex_destroy(&c.prog_mu);
	pthread_cond_destroy(&c.early_cv);
	pthread_mutex_destroy(&c.early_mu);
	if (conn)
		PQfinish(conn);
	PQfinish(c.spare_conn);
	for (i = 0; i < c.ninputs; i++) {
		free(c.inputs[i].name);
		free(c.inputs[i].sha256);
	}
	for (i = 0; i < c.ngaiji; i++)
		free(c.gaiji[i]);
	iko_pack_free(c.pack);
	iko_schema_free(c.schema);
	return rc;
}

void iko_rehearse_result_release(iko_rehearse_result *r)
{
	size_t i;

	for (i = 0; i < r->ncounts; i++)
		free(r->counts[i].object);
	free(r->run_dir);
	free(r->run_id);
	free(r->xlsx);
	free(r->manifest);
	free(r->legacy_note);
	memset(r, 0, sizeof(*r));
}
