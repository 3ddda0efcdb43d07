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

#endif
