/*
 * iko_batches.h — work cut into batches on this thread, done on helper
 * threads, and written out on this thread strictly in order.
 *
 * A stage that reads a file record by record can spread the per-record
 * work over the cores and still write byte for byte what one thread
 * writes: fill() cuts the next batch (this thread), work() does it on one
 * of the helper threads (batch k goes to thread k % nworkers, each with
 * its own state), drain() writes the finished batches oldest first (this
 * thread again). At most nslots batches are in flight. Helper threads
 * start with the termination signals blocked (iko_thread_start).
 */
#ifndef IKO_BATCHES_H
#define IKO_BATCHES_H

#include <stddef.h>

typedef struct iko_batches_ops {
	void *ctx;
	/* Fill batch: 1 filled, 0 nothing more (batch unused), <0 error. */
	int (*fill)(void *ctx, void *batch);
	/* Do batch on helper thread `worker`: 0, or <0 (its message is kept). */
	int (*work)(void *ctx, int worker, void *batch);
	/* Write batch out (called in the order the batches were filled). */
	int (*drain)(void *ctx, void *batch);
	/*
	 * 1: drain on a helper thread of its own, beside fill, instead of on
	 * this thread between fills — for a stage whose fill and drain share
	 * no state and both take time (reading and cutting the input while the
	 * finished batches are written or counted). 0: this thread.
	 */
	int drain_apart;
} iko_batches_ops;

/*
 * Run until fill() says there is nothing more, every batch is drained, or
 * something fails (the first error, with its message, is returned; no
 * batch after it is drained). slots: nslots batch objects, reused.
 */
int iko_batches_run(const iko_batches_ops *ops, void *const *slots, int nslots, int nworkers);

/*
 * The records of a CSV file after its header line, in batches of about
 * batch_bytes on helper threads. work() gets a reader on the batch (the
 * rows, numbers and errors of reading the file whole with iko_csv_next) and
 * the caller's batch object; drain() gets the same object back, in order,
 * with the batch's place in the file (records, offset, bytes). name is the
 * file's name in error messages. drain() runs on a helper thread of its own
 * (drain_apart; on this thread if that one cannot be started), while this
 * thread reads and cuts the next batches; it is never called twice at once.
 * follow: NULL, or the file may still be being written (iko_follow.h) and
 * is read as it grows.
 */
struct iko_csv_reader;
struct iko_csv_batch;
typedef struct iko_csv_batches_ops {
	void *ctx;
	int (*work)(void *ctx, int worker, struct iko_csv_reader *rd, void *batch);
	int (*drain)(void *ctx, void *batch, const struct iko_csv_batch *pos);
} iko_csv_batches_ops;

struct iko_follow;
int iko_csv_batches_run(const char *path, const char *name, size_t batch_bytes, const iko_csv_batches_ops *ops,
			void *const *batches, int nslots, int nworkers, struct iko_follow *follow);

#endif
