/*
 * iko_follow.h — read files while another thread is still writing them.
 *
 * A rehearsal can start loading a table while validate is still writing
 * it: validate writes <table>.csv under its temporary name as always
 * (iko_afile), and tells a follow set each time more bytes are in the file
 * and when the file has its final name (or was abandoned); the load opens
 * the same path through the set and reads it like any file, except that
 * where it would reach the end of a file still being written it waits for
 * more. So the load reads exactly the bytes validate commits — no second
 * copy of the data, no different path through the loader.
 *
 * The writer side calls begin, grew (any number of times), done; when it
 * will begin no more files it closes the set (ok or not). A reader that
 * asks for a path no writer has begun waits until one does or the set is
 * closed, then reads the file as it is on disk (a missing file is the
 * caller's usual "cannot open" error), unless the writers named their
 * files up front (iko_follow_announce). If the writer abandons the file or
 * closes the set as failed, the reader's next read fails with EIO.
 */
#ifndef IKO_FOLLOW_H
#define IKO_FOLLOW_H

#include <stdio.h>

typedef struct iko_follow iko_follow;

int iko_follow_new(iko_follow **out);
void iko_follow_free(iko_follow *f);

/* writer: path (its final name) is being written under tmp; once per path */
int iko_follow_begin(iko_follow *f, const char *path, const char *tmp);
/*
 * writer, before any reader opens: path will be begun (iko_follow_begin)
 * and is about bytes long (0: unknown), the reader's iko_follow_expected
 * until the writer tells more. Once a set has named a file this way, a
 * reader of a path it did not name reads that file as it is at once, and
 * a named file the set is closed without beginning fails its reader (EIO),
 * never read from what an earlier run left under that name.
 */
int iko_follow_announce(iko_follow *f, const char *path, long long bytes);
/* writer: more bytes of path are in the file (after fflush) */
void iko_follow_grew(iko_follow *f, const char *path);
/* writer: path has its final name (ok) or was abandoned (!ok) */
void iko_follow_done(iko_follow *f, const char *path, int ok);
/*
 * writer: path will end at about bytes (an estimate from the share of its
 * input read so far, so that a reader can show progress of a total); the
 * exact size when done. Any number of times.
 */
void iko_follow_expect(iko_follow *f, const char *path, long long bytes);
/* writer: no more files; !ok fails every file not done yet */
void iko_follow_close(iko_follow *f, int ok);

/*
 * reader: open path for reading ("rb"), following the writer if it is
 * still writing it. f NULL: plain fopen. NULL with errno set on failure.
 */
FILE *iko_follow_fopen(iko_follow *f, const char *path);
/*
 * on: readers opened from now on let the kernel drop the cached pages of
 * what they have read of a file being written (posix_fadvise DONTNEED,
 * some way behind them, and the rest once the writer is done): for files
 * read once, while they are written, whose pages are then free for the
 * writes that follow. Another reader of such a file reads it from the
 * disk. A file opened after it was done is read as any file.
 */
void iko_follow_drop_read(iko_follow *f, int on);
/* reader: the writer's latest iko_follow_expect for path; -1 if none */
long long iko_follow_expected(iko_follow *f, const char *path);
/* reader: wait until the writer closes the set; 1 if it closed ok */
int iko_follow_wait_closed(iko_follow *f);

#endif
