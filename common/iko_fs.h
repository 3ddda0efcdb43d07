/*
 * iko_fs.h — file helpers: atomic output files, directories, fingerprints,
 * and helper threads that leave the signals to the main thread.
 *
 * Every output iko writes goes through iko_afile: it is written under a
 * temporary name in the same directory ("<name>.tmp.<pid>") and renamed over
 * the final name only by iko_afile_commit(), after fflush, fsync and a
 * checked fclose. A file that was never committed is removed by
 * iko_afile_free(), so no partial file ever carries a final name.
 */
#ifndef IKO_FS_H
#define IKO_FS_H

#include <pthread.h>
#include <stdio.h>
#include <sys/types.h>

typedef struct iko_afile iko_afile;

/*
 * Open `path` for atomic writing with permission bits `mode` (0644 for
 * reports, 0600 for anything holding personal data).
 * On success *out owns the handle (free with iko_afile_free()).
 */
int iko_afile_open(iko_afile **out, const char *path, mode_t mode);
/* The stdio stream to write to; owned by the handle. */
FILE *iko_afile_fp(iko_afile *f);
/* The temporary path being written (e.g. for libraries that want a path). */
const char *iko_afile_tmppath(const iko_afile *f);
/* The final path. */
const char *iko_afile_path(const iko_afile *f);
/* Flush, fsync, close (checked) and rename to the final name. */
int iko_afile_commit(iko_afile *f);
/*
 * A writer that has written `written` bytes so far: every
 * IKO_AFILE_WRITEBACK_STEP bytes, flush them and start the kernel writing
 * them to the disk (sync_file_range, SYNC_FILE_RANGE_WRITE: it does not
 * wait), so that the commit's fsync waits only for the last ones instead
 * of the whole file. Optional; 0 or IKO_EIO (the flush failed).
 */
#define IKO_AFILE_WRITEBACK_STEP (8LL << 20)
int iko_afile_writeback(iko_afile *f, long long written);
/*
 * Commit, as the file's contents, those of src whole (a committed file
 * whose bytes are the ones this one would hold; nothing written to this
 * handle): the temporary name becomes a hard link to src, renamed to the
 * final name — no second copy of the data on the disk. Where src cannot
 * be linked (another file system, or one without hard links) or a link
 * would give this file other permission bits or another owner than its
 * own (src 0644 where this file is 0600), src's bytes are copied
 * (copy_file_range) and fsynced instead. Linked, both names share one
 * file: whatever replaces either later must rename a new file over it, as
 * iko_afile does, never write into it.
 */
int iko_afile_commit_link(iko_afile *f, const char *src);
/* Close and unlink the temporary file if not committed; free. NULL-safe. */
void iko_afile_free(iko_afile *f);
/*
 * Copy len bytes of in_fd from in_off to out_fd at out_off (copy_file_range,
 * read and write where the kernel cannot). 0, or IKO_EIO with errno kept
 * (a source shorter than len is an error: EIO).
 */
int iko_copy_range(int in_fd, off_t in_off, int out_fd, off_t out_off, long long len);
/*
 * Copy the file src to dst, which must not exist yet (O_EXCL), with
 * permission bits mode (iko_copy_range; fsync first when sync). 0, or
 * IKO_EIO with the message set; a dst begun is left for the caller.
 */
int iko_copy_file(const char *src, const char *dst, mode_t mode, int sync);

/* Write len bytes to path atomically (iko_afile) with permission bits mode. */
int iko_write_file(const char *path, const void *data, size_t len, mode_t mode);

/* Build a temporary sibling name for path, caller frees. The name is
 * remembered until committed or forgotten, for iko_tmp_cleanup. */
char *iko_tmpname(const char *path);
/* Rename tmp to final after fsync of the file; sets last error. */
int iko_commit_rename(const char *tmp, const char *final);
/* Remember another temporary file (not made by iko_tmpname). */
void iko_tmp_remember(const char *tmp);
/* Stop remembering a temporary name (removed or renamed by the caller). */
void iko_tmp_forget(const char *tmp);
/* Unlink every remembered temporary file; returns how many were removed.
 * For a fatal-signal handler (atomics, nanosleep and unlink only): from then
 * on iko_afile_open creates nothing ("interrupted"), and a creation under
 * way is waited for (up to 0.2 s) before the names are removed. */
size_t iko_tmp_cleanup(void);
/*
 * Start a helper thread with SIGINT, SIGTERM and SIGHUP blocked, so that
 * those signals are handled on the main thread (the CLI's handler removes
 * temporary files there); the thread's error message is freed when its
 * function returns. pthread_create's result.
 */
int iko_thread_start(pthread_t *th, void *(*fn)(void *), void *arg);
/*
 * On a helper thread, before it returns: keep the message of a failure
 * (rc < 0) in *err for the thread that joins it. Returns rc, or IKO_ENOMEM
 * when the message cannot be kept.
 */
int iko_thread_keep_error(int rc, char **err);
/*
 * On the thread that started it: join th, then read *rc and *err, what the
 * helper kept with iko_thread_keep_error (both read only after the join).
 * A failure becomes this thread's error (its message); *err is freed and
 * cleared. Returns *rc.
 */
int iko_thread_join(pthread_t th, const int *rc, char **err);

/*
 * Test-only pause points: with IKO_TEST_PAUSE=<point> in the environment,
 * iko stops at that point (after creating IKO_TEST_PAUSE_FILE, if set) —
 * for good, or until the file IKO_TEST_PAUSE_RESUME exists when that is
 * set — so a test can interrupt it there or change the world under it.
 * Points: commit:<file name> (an output complete under its temporary name,
 * before the rename), stage:<name> (a rehearsal stage about to start),
 * reconcile-read:<table> (reconcile about to read a loaded table back), and
 * the load's points (load/iko_load.c).
 */
void iko_test_pause(const char *point);

/* mkdir -p with mode 0755 (0700 if private). */
int iko_mkdir_p(const char *path, int private_dir);
/* 1 if path exists (any type), 0 if not. */
int iko_path_exists(const char *path);
/* 1 if path is a directory. */
int iko_is_dir(const char *path);
/* Join dir and name with one '/'; caller frees. NULL on ENOMEM. */
char *iko_path_join(const char *dir, const char *name);
/* rel as given in file (a plan, a project): absolute as is, else beside
 * file, in file's directory. Caller frees; NULL on ENOMEM. */
char *iko_path_beside(const char *file, const char *rel);
/* The size of the regular file open as fp, else 0 (a pipe, a zip member). */
long long iko_file_size(FILE *fp);
/* Remove a directory tree (like rm -rf). Missing path is not an error. */
int iko_rm_rf(const char *path);

/* SHA-256 of a file's bytes as 64 hex digits into hex[65]; size into *size. */
int iko_file_sha256(char hex[65], long long *size, const char *path);

/* Read a whole small file (config, manifest: < 64 MiB); caller frees *out. */
int iko_read_small_file(char **out, size_t *len, const char *path);

/* Current UTC time as ISO 8601 "2026-11-22T10:40:00Z" into out[21]. */
void iko_now_iso(char out[21]);

#endif
