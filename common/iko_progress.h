/*
 * iko_progress.h — progress reporting from library stages.
 *
 * Stages never print; long loops call the progress callback every few
 * thousand records. The CLI decides whether to show it (only on a terminal).
 */
#ifndef IKO_PROGRESS_H
#define IKO_PROGRESS_H

/*
 * Called by a stage with its name, records done so far and the expected
 * total (-1 if unknown). Optional: stages check for NULL. `stage` is a
 * string literal (its pointer identifies the stage).
 */
typedef void (*iko_progress_fn)(const char *stage, long long done,
				long long total, void *payload);

/*
 * A stage that runs behind another one (transform following extract, the
 * load following validate) reports from its own thread while the terminal
 * line still belongs to the stage in front. Those held reports pass done
 * as IKO_PROGRESS_HELD(done), a negative number: the reporter shows
 * nothing for them but counts them in the stage's rate, so that the rate
 * and ETA shown once the stage has the line are measured from its start.
 * iko_progress_held(done) tells them apart; IKO_PROGRESS_DONE gives back
 * the count. Reports of different stages may come from different threads,
 * one at a time.
 */
#define IKO_PROGRESS_HELD(done) (-1 - (long long)(done))
#define IKO_PROGRESS_DONE(held) (-1 - (long long)(held))
static inline int iko_progress_held(long long done)
{
	return done < 0;
}

/*
 * The expected total from the share of the input read so far: done records
 * in consumed of size bytes. -1 when the size is unknown (a pipe, a zip
 * member) or nothing was read yet; never less than done.
 */
static inline long long iko_progress_total(long long done, long long consumed, long long size)
{
	double est;

	if (size <= 0 || consumed <= 0 || done <= 0)
		return -1;
	est = (double)done * (double)size / (double)consumed;
	return est < (double)done ? done : (long long)(est + 0.5);
}

#endif
