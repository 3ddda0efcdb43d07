/*
 * iko_recidx.c — the record index of a validated table (see iko_recidx.h).
 */
#include "iko_recidx.h"

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "IKORIDX1"
#define BOM 0x01020304u
#define HDR 48

struct iko_recidx_writer {
	iko_afile *file;
	unsigned long long n;
};

typedef struct hdr {
	char magic[8];
	uint32_t bom, entsize;
	uint64_t n;
	int64_t size, sec, nsec;
} hdr;

_Static_assert(sizeof(hdr) == HDR, "index header is 48 bytes");
_Static_assert(sizeof(iko_recidx_ent) == 24, "index entries are 24 bytes");

char *iko_recidx_path(const char *csv_path)
{
	size_t len = strlen(csv_path);

	if (len > 4 && !strcmp(csv_path + len - 4, ".csv"))
		return iko_aprintf("%.*s.index", (int)(len - 4), csv_path);
	return iko_aprintf("%s.index", csv_path);
}

int iko_recidx_writer_open(iko_recidx_writer **out, const char *path)
{
	iko_recidx_writer *w = calloc(1, sizeof(*w));
	static const hdr blank;
	int rc;

	*out = NULL;
	if (!w)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	if ((rc = iko_afile_open(&w->file, path, 0600))) {
		free(w);
		return rc;
	}
	/* a header of zeros until the commit: an index cut short is never valid */
	if (fwrite(&blank, sizeof(blank), 1, iko_afile_fp(w->file)) != 1) {
		rc = iko_error_set_errno(IKO_EIO, "cannot write %s", path);
		iko_recidx_writer_free(w);
		return rc;
	}
	*out = w;
	return 0;
}

int iko_recidx_writer_add(iko_recidx_writer *w, const iko_recidx_ent *e, size_t n)
{
	if (n && fwrite(e, sizeof(*e), n, iko_afile_fp(w->file)) != n)
		return iko_error_set_errno(IKO_EIO, "cannot write %s", iko_afile_path(w->file));
	w->n += n;
	return 0;
}

int iko_recidx_writer_commit(iko_recidx_writer *w, const char *csv_path)
{
	FILE *fp = iko_afile_fp(w->file);
	struct stat st;
	hdr h;

	if (stat(csv_path, &st) != 0)
		return iko_error_set_errno(IKO_EIO, "cannot stat %s", csv_path);
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, MAGIC, 8);
	h.bom = BOM;
	h.entsize = (uint32_t)sizeof(iko_recidx_ent);
	h.n = w->n;
	h.size = (int64_t)st.st_size;
	h.sec = (int64_t)st.st_mtim.tv_sec;
	h.nsec = (int64_t)st.st_mtim.tv_nsec;
	if (fflush(fp) != 0 || fseek(fp, 0, SEEK_SET) != 0 || fwrite(&h, sizeof(h), 1, fp) != 1)
		return iko_error_set_errno(IKO_EIO, "cannot write %s", iko_afile_path(w->file));
	return iko_afile_commit(w->file);
}

void iko_recidx_writer_free(iko_recidx_writer *w)
{
	if (!w)
		return;
	iko_afile_free(w->file);
	free(w);
}

int iko_recidx_load(iko_recidx_ent **ents, size_t *n, const char *index_path, const char *csv_path)
{
	struct stat cs, is;
	iko_recidx_ent *e = NULL;
	size_t i, got = 0;
	ssize_t r;
	int fd, rc = 0;
	hdr h;

	*ents = NULL;
	*n = 0;
	if (stat(csv_path, &cs) != 0)
		return 0;
	if ((fd = open(index_path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : iko_error_set_errno(IKO_EIO, "cannot open %s", index_path);
	if (fstat(fd, &is) != 0) {
		rc = iko_error_set_errno(IKO_EIO, "cannot read %s", index_path);
		goto done;
	}
	if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) || memcmp(h.magic, MAGIC, 8) || h.bom != BOM ||
	    h.entsize != sizeof(iko_recidx_ent) || h.size != (int64_t)cs.st_size ||
	    h.sec != (int64_t)cs.st_mtim.tv_sec || h.nsec != (int64_t)cs.st_mtim.tv_nsec ||
	    h.n > (uint64_t)(is.st_size - HDR) / sizeof(iko_recidx_ent) ||
	    (off_t)(HDR + h.n * sizeof(iko_recidx_ent)) != is.st_size)
		goto done; /* not for this CSV: 0 */
	if (h.n && !(e = malloc(h.n * sizeof(*e)))) {
		rc = iko_error_set(IKO_ENOMEM, "out of memory");
		goto done;
	}
	while (got < h.n * sizeof(*e)) {
		r = pread(fd, (char *)e + got, h.n * sizeof(*e) - got, HDR + (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? iko_error_set_errno(IKO_EIO, "cannot read %s", index_path)
				   : iko_error_set(IKO_EIO, "cannot read %s: shorter than its header says", index_path);
			goto done;
		}
		got += (size_t)r;
	}
	/* offsets inside the CSV and increasing: anything else is not this file's index */
	for (i = 0; i < h.n; i++)
		if (e[i].off < 0 || e[i].off >= (long long)cs.st_size || (i && e[i].off <= e[i - 1].off))
			goto done;
	*ents = e;
	*n = (size_t)h.n;
	e = NULL;
	rc = 1;
done:
	free(e);
	(void)close(fd); /* opened read only: nothing written to lose */
	return rc;
}
