/*
 * iko_evidence.c — write and verify a run's evidence bundle (see
 * iko_evidence.h).
 */
#include "iko_evidence.h"

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_sha256.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

/* Members: files of the run directory and its stage directories, by name. */
static const char *const stage_dirs[] = { "", "extract", "transform", "validate", "reconcile", "reports", NULL };

static int wanted(const char *dir, const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.' || !strcmp(name, "evidence.zip") || strstr(name, ".tmp"))
		return 0;
	if (!*dir) /* the run manifest; extract's of several record types sit here too */
		return !strcmp(name, "manifest.json") || (n > 14 && !strcmp(name + n - 14, ".manifest.json")) ||
		       strstr(name, "rejects.csv") != NULL;
	/* the data itself stays out; the evidence is what was decided about it */
	if (!strcmp(dir, "extract") || !strcmp(dir, "transform") || !strcmp(dir, "validate"))
		return (n > 5 && !strcmp(name + n - 5, ".json")) || strstr(name, "rejects.csv") != NULL;
	return 1;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int sha_file(char hex[65], const char *path)
{
	long long size;

	return iko_file_sha256(hex, &size, path);
}

int iko_evidence_write(const char *run_dir, size_t *members)
{
	char **rel = NULL, *out = iko_path_join(run_dir, "evidence.zip"), *tmp = NULL;
	size_t n = 0, i, d;
	iko_buf sums = IKO_BUF_INIT;
	zip_t *z = NULL;
	int err = 0, rc = 0;

	*members = 0;
	if (!out || !(tmp = iko_tmpname(out))) {
		rc = IKO_ENOMEM;
		goto done;
	}
	for (d = 0; stage_dirs[d] && !rc; d++) {
		char *dir = *stage_dirs[d] ? iko_path_join(run_dir, stage_dirs[d]) : iko_strdup(run_dir);
		DIR *dh = dir ? opendir(dir) : NULL;
		struct dirent *e;
		while (dh && (e = readdir(dh)) != NULL) {
			char **a;
			if (!wanted(stage_dirs[d], e->d_name))
				continue;
			if (!(a = realloc(rel, (n + 1) * sizeof(*rel)))) {
				rc = IKO_ENOMEM;
				break;
			}
			rel = a;
			rel[n] = *stage_dirs[d] ? iko_aprintf("%s/%s", stage_dirs[d], e->d_name) : iko_strdup(e->d_name);
			if (!rel[n++]) {
				rc = IKO_ENOMEM;
				break;
			}
		}
		if (dh)
			closedir(dh);
		free(dir);
	}
	if (rc)
		goto done;
	qsort(rel, n, sizeof(*rel), cmp);
	z = zip_open(tmp, ZIP_CREATE | ZIP_TRUNCATE, &err);
	if (!z) {
		rc = iko_error_set(IKO_EIO, "cannot create %s", tmp);
		goto done;
	}
	for (i = 0; i < n && !rc; i++) {
		char *p = iko_path_join(run_dir, rel[i]), hex[65];
		zip_source_t *src;
		if (!p) {
			rc = IKO_ENOMEM;
			break;
		}
		if ((rc = sha_file(hex, p)) || iko_buf_printf(&sums, "%s  %s\n", hex, rel[i])) {
			free(p);
			rc = rc ? rc : IKO_ENOMEM;
			break;
		}
		src = zip_source_file(z, p, 0, -1);
		if (!src || zip_file_add(z, rel[i], src, ZIP_FL_ENC_UTF_8) < 0) {
			if (src)
				zip_source_free(src);
			rc = iko_error_set(IKO_EIO, "cannot add %s to the evidence: %s", rel[i], zip_strerror(z));
		}
		free(p);
	}
	if (!rc) {
		zip_source_t *src = zip_source_buffer(z, sums.ptr ? sums.ptr : "", sums.len, 0);
		if (!src || zip_file_add(z, "SHA256SUMS", src, ZIP_FL_ENC_UTF_8) < 0) {
			if (src)
				zip_source_free(src);
			rc = iko_error_set(IKO_EIO, "cannot add SHA256SUMS: %s", zip_strerror(z));
		}
	}
	if (!rc) {
		if (zip_close(z) < 0)
			rc = iko_error_set(IKO_EIO, "cannot write %s: %s", tmp, zip_strerror(z));
		else
			z = NULL;
	}
	if (!rc && chmod(tmp, 0600))
		rc = iko_error_set_errno(IKO_EIO, "cannot chmod %s", tmp);
	if (!rc && !(rc = iko_commit_rename(tmp, out)))
		*members = n;
done:
	if (z)
		zip_discard(z);
	if (rc && tmp)
		remove(tmp);
	iko_tmp_forget(tmp);
	for (i = 0; i < n; i++)
		free(rel[i]);
	free(rel);
	free(out);
	free(tmp);
	iko_buf_release(&sums);
	return rc;
}

static int member_sha(zip_t *z, zip_int64_t idx, char hex[65])
{
	zip_file_t *f = zip_fopen_index(z, (zip_uint64_t)idx, 0);
	char buf[1 << 16];
	zip_int64_t n;
	iko_sha256 h;

	if (!f)
		return -1;
	iko_sha256_init(&h);
	while ((n = zip_fread(f, buf, sizeof(buf))) > 0)
		iko_sha256_update(&h, buf, (size_t)n);
	zip_fclose(f);
	iko_sha256_final_hex(&h, hex);
	return n < 0 ? -1 : 0;
}

static void problem(iko_evidence_check *c, const char *what, const char *name)
{
	if (!c->problem)
		c->problem = iko_aprintf("%s%s", what, name ? name : "");
}

int iko_evidence_verify(iko_evidence_check *out, const char *zip_path)
{
	zip_t *z;
	zip_int64_t idx, nent, i;
	iko_buf sums = IKO_BUF_INIT, listed = IKO_BUF_INIT;
	zip_file_t *f;
	char buf[4096], *line, *save = NULL;
	zip_int64_t n;
	int err = 0;

	memset(out, 0, sizeof(*out));
	z = zip_open(zip_path, ZIP_RDONLY, &err);
	if (!z)
		return iko_error_set(err == ZIP_ER_NOENT || err == ZIP_ER_OPEN ? IKO_ENOTFOUND : IKO_EPARSE,
				     "cannot open %s: not a readable zip archive", zip_path);
	idx = zip_name_locate(z, "SHA256SUMS", 0);
	if (idx < 0 || !(f = zip_fopen_index(z, (zip_uint64_t)idx, 0))) {
		problem(out, "no SHA256SUMS in the bundle", NULL);
		goto done;
	}
	while ((n = zip_fread(f, buf, sizeof(buf))) > 0)
		iko_buf_put(&sums, buf, (size_t)n);
	zip_fclose(f);
	for (line = strtok_r(sums.ptr ? sums.ptr : (char *)"", "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char hex[65];
		const char *name = strlen(line) > 66 ? line + 66 : "";
		out->members++;
		/* every listed name, each between newlines, for the unlisted check */
		iko_buf_printf(&listed, "\n%s\n", name);
		if (strlen(line) < 67 || line[64] != ' ' || line[65] != ' ') {
			problem(out, "malformed SHA256SUMS line", NULL);
			continue;
		}
		idx = zip_name_locate(z, name, 0);
		if (idx < 0) {
			problem(out, "missing member ", name);
			continue;
		}
		if (member_sha(z, idx, hex) || strncmp(hex, line, 64)) {
			problem(out, "SHA-256 differs: ", name);
			continue;
		}
		out->ok++;
	}
	nent = zip_get_num_entries(z, 0);
	for (i = 0; i < nent; i++) {
		const char *nm = zip_get_name(z, (zip_uint64_t)i, 0);
		char *key = nm ? iko_aprintf("\n%s\n", nm) : NULL;
		if (nm && strcmp(nm, "SHA256SUMS") && (!key || !strstr(listed.ptr ? listed.ptr : "", key)))
			problem(out, "member not in SHA256SUMS: ", nm);
		free(key);
	}
done:
	iko_buf_release(&sums);
	iko_buf_release(&listed);
	zip_discard(z);
	return 0;
}

void iko_evidence_check_release(iko_evidence_check *c)
{
	if (c) {
		free(c->problem);
		c->problem = NULL;
	}
}
