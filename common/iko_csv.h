/*
 * iko_csv.h — RFC 4180 CSV reader and writer, streaming, byte oriented.
 *
 * The reader works on bytes, so it reads UTF-8 and Shift_JIS/CP932 alike
 * (no CP932 trail byte is a quote, comma, CR or LF). It accepts LF and CRLF
 * line ends, quoted fields with embedded separators, doubled quotes and line
 * breaks, and skips a UTF-8 byte order mark at the start. Each record keeps
 * its raw bytes, 1-based number and byte offset so a caller can reject it
 * with evidence. A malformed record (text after a closing quote, a quote
 * left open at end of file) is returned as IKO_EPARSE with its raw bytes
 * still available in the row; reading continues with the next line.
 *
 * The writer produces the canonical form: fields quoted only when they hold
 * a separator, quote, CR or LF; quotes doubled; records ended by LF. It
 * writes through an iko_afile, so the output appears only on commit.
 */
#ifndef IKO_CSV_H
#define IKO_CSV_H

#include <stdio.h>
#include <sys/types.h>

typedef struct iko_csv_reader iko_csv_reader;

typedef struct iko_csv_row {
	size_t nfields;
	char **fields;       /* NUL-terminated, unescaped values (owned by reader) */
	size_t *lens;        /* byte length of each field */
	long long record;    /* 1-based record number in the file (header = 1) */
	long long line;      /* 1-based physical line where the record starts */
	long long offset;    /* byte offset of the record's first byte */
	const char *raw;     /* raw bytes of the record, line end included (raw_len of
			      * them, not NUL-terminated; like fields, valid until the
			      * reader's next call) */
	size_t raw_len;
} iko_csv_row;

/* Open a file for reading ("-" = stdin). *out owned by caller. */
int iko_csv_reader_open(iko_csv_reader **out, const char *path);
/* Read from an open stream (not closed by the reader); name is for errors. */
int iko_csv_reader_open_fp(iko_csv_reader **out, FILE *fp, const char *name);
/* The same, and the reader closes fp when freed (also when this fails). */
int iko_csv_reader_adopt_fp(iko_csv_reader **out, FILE *fp, const char *name);
/*
 * Open path as iko_csv_reader_open does, or, with f, through the follow
 * set (iko_follow_fopen: read as another thread writes it); a file that
 * writer abandoned is IKO_EIO.
 */
struct iko_follow;
int iko_csv_reader_open_follow(iko_csv_reader **out, const char *path, struct iko_follow *f);
/*
 * Read the records in data[0..len) instead (not copied: keep it until the
 * last iko_csv_next). The first record there is numbered `record`, starts
 * on `line` at byte `offset` of the whole input; a byte order mark is
 * skipped only at offset 0. Cutting the input at record ends (see
 * iko_csv_record_end) and reading the pieces this way gives exactly the
 * rows, numbers and errors of reading it whole. May be called again.
 */
void iko_csv_reader_set_mem(iko_csv_reader *r, const void *data, size_t len, long long record,
			    long long line, long long offset);
/*
 * Where the record at s[0] ends, exactly as iko_csv_next ends it (quotes,
 * doubled quotes, quoted line breaks, CRLF, and the skip to the line end
 * after a malformed field): *end = its length, line end included, and 1;
 * 0 when s[0..len) may not hold all of it yet (at_eof = 0: more bytes
 * follow). At end of input (at_eof) the record ends at len at the latest.
 * s starts after any byte order mark. len = 0 at EOF is not a record.
 */
int iko_csv_record_end(const unsigned char *s, size_t len, char sep, int at_eof, size_t *end);
/* Tests: read every record byte by byte (no one-sweep path for common records). */
void iko_csv_reader_bytewise(iko_csv_reader *r);
/*
 * Cutting a stream into batches of whole records, to be parsed elsewhere
 * (another thread) with iko_csv_reader_set_mem(r, b.data, b.len, b.record,
 * b.line, b.offset): the rows, numbers and errors are those of reading the
 * stream with iko_csv_next.
 */
typedef struct iko_csv_cutter iko_csv_cutter;
typedef struct iko_csv_batch {
	const unsigned char *data; /* valid until the next iko_csv_cutter_next */
	size_t len;
	long long records;         /* records in it */
	long long record, line, offset; /* of its first record */
} iko_csv_batch;

/* Read fp (not closed by the cutter) from its start. */
int iko_csv_cutter_open(iko_csv_cutter **out, FILE *fp, char sep);
/* The next batch of about max bytes (more when one record is longer): 1, 0 at end, <0 on error (IKO_EIO: read error). */
int iko_csv_cutter_next(iko_csv_cutter *c, size_t max, iko_csv_batch *b);
/* The same, the batch's bytes copied into `into` (b->data points there, valid until it changes). */
struct iko_buf;
int iko_csv_cutter_next_copy(iko_csv_cutter *c, size_t max, struct iko_buf *into, iko_csv_batch *b);
void iko_csv_cutter_free(iko_csv_cutter *c);
/* Use another single-byte separator (default ','). */
void iko_csv_reader_set_sep(iko_csv_reader *r, char sep);
/*
 * Read the next record into *row (valid until the next call).
 * Returns 1 for a record, 0 at end of input, IKO_EPARSE for a malformed
 * record (row filled as far as parsed, raw bytes complete; reading may go
 * on), IKO_EIO for a read error.
 */
int iko_csv_next(iko_csv_reader *r, iko_csv_row *row);
/* Name given at open time. */
const char *iko_csv_reader_name(const iko_csv_reader *r);
/* Bytes consumed so far. */
long long iko_csv_reader_tell(const iko_csv_reader *r);
/* The size of the file being read (0 when not a regular file). */
long long iko_csv_reader_size(const iko_csv_reader *r);
void iko_csv_reader_free(iko_csv_reader *r);

/* Index of the field named `name` in a header row, or -1. */
int iko_csv_find(const iko_csv_row *header, const char *name);

typedef struct iko_csv_writer iko_csv_writer;

/* Create path atomically with mode (0600 for personal data). */
int iko_csv_writer_open(iko_csv_writer **out, const char *path, mode_t mode);
/*
 * Let readers of f read the file while it is written (iko_follow.h): every
 * write is flushed to the file and announced, the commit marks it done and
 * freeing it uncommitted marks it abandoned. f NULL: nothing.
 */
struct iko_follow;
int iko_csv_writer_follow(iko_csv_writer *w, struct iko_follow *f);
/*
 * Tell w's followers the size the file will have (iko_follow_expect): its
 * bytes so far and pending more (held by the caller) came from consumed of
 * size bytes of input. Nothing when w is not followed or a figure is 0.
 */
void iko_csv_writer_expect(iko_csv_writer *w, long long pending, long long consumed, long long size);
/* A writer that keeps its rows in memory (for a helper thread). */
int iko_csv_writer_open_mem(iko_csv_writer **out);
/* Append the whole rows of a memory writer to w, and empty it. */
int iko_csv_writer_move(iko_csv_writer *w, iko_csv_writer *mem);
/* Empty a memory writer without writing its rows anywhere. */
void iko_csv_writer_discard(iko_csv_writer *mem);
/*
 * Append the first len bytes of the file src (whole rows as this writer
 * writes them) to w, in the kernel (iko_copy_range), for a writer that
 * found its output so far to be those bytes exactly. rows: how many.
 */
int iko_csv_writer_copy_from(iko_csv_writer *w, const char *src, long long len, long long rows);
/*
 * Commit w, to which nothing was written, as the file src whole
 * (iko_afile_commit_link: a hard link, or a copy where there can be none):
 * for a writer that found its whole output to be src's bytes. f: tell
 * readers following (iko_follow.h) that the file is there whole.
 */
int iko_csv_writer_commit_link(iko_csv_writer *w, const char *src, struct iko_follow *f);
/* Whether a value needs quotes in a comma-separated record (a comma, quote, CR or LF; RFC 4180). */
int iko_csv_needs_quotes(const char *s, size_t len);
/* Append one field to the current record. */
int iko_csv_write_field(iko_csv_writer *w, const char *s, size_t len);
/* Append a C string field (NULL writes an empty field). */
int iko_csv_write_str(iko_csv_writer *w, const char *s);
/* Append an integer field. */
int iko_csv_write_ll(iko_csv_writer *w, long long v);
/* End the current record (LF); rows reach the file in writes of about 256 KiB, all by commit. */
int iko_csv_end_row(iko_csv_writer *w);
/* Append rows already formatted as RFC 4180 lines (each ending in LF). */
int iko_csv_write_raw(iko_csv_writer *w, const void *data, size_t len, long long rows);
/*
 * Append one record already in the form this writer gives it (fields as
 * iko_csv_write_field writes them, LF at the end), between records:
 * buffered like iko_csv_end_row's, not written at once as _raw's.
 */
int iko_csv_write_line(iko_csv_writer *w, const char *line, size_t len);
/* Write a whole record of n C strings. */
int iko_csv_write_row(iko_csv_writer *w, const char *const *fields, size_t n);
/* Records written so far (header included). */
long long iko_csv_writer_rows(const iko_csv_writer *w);
/* Bytes written so far (those still buffered included): where the next row starts. */
long long iko_csv_writer_tell(const iko_csv_writer *w);
/* Flush, fsync, close and rename into place. */
int iko_csv_writer_commit(iko_csv_writer *w);
/* Free; removes the temporary file if not committed. NULL-safe. */
void iko_csv_writer_free(iko_csv_writer *w);

/* Append one CSV-escaped field to a buffer (used for in-memory rows). */
struct iko_buf;
int iko_csv_escape(struct iko_buf *b, const char *s, size_t len, char sep);

#endif
