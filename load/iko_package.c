/*
 * iko_package.c — write and verify the standard migration package (see
 * iko_package.h). libzip streams each CSV into the archive; rows and the
 * SHA-256 are computed over exactly the bytes stored.
 */
#include "iko_package.h"

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_json.h"
#include "iko_sha256.h"
#include "iko_yaml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

#define FORMAT "iko-migration-package/1"

/* RFC 4180 record counter over a byte stream. */
typedef struct counter {
	long long records;
	int quoted, pending;  /* inside quotes; bytes seen since the last record end */
} counter;

static void count_bytes(counter *c, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '"')
			c->quoted = !c->quoted;
		if (p[i] == '\n' && !c->quoted) {
			c->records++;
			c->pending = 0;
		} else {
			c->pending = 1;
		}
	}
}

static long long count_end(const counter *c)
{
	long long n = c->records + (c->pending ? 1 : 0);

	return n > 0 ? n - 1 : 0; /* without the header */
}

/* Copy src to dst (or only hash/count it when dst is NULL), replacing the header line. */
static int copy_csv(FILE *dst, const char *src, const char *header, counter *cnt, char sha[65])
{
	FILE *in = fopen(src, "rb");
	unsigned char buf[1 << 16];
	iko_sha256 h;
	size_t n;
	int first = 1, rc = 0;

	if (!in)
		return iko_error_set_errno(IKO_ENOTFOUND, "cannot open %s", src);
	iko_sha256_init(&h);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		unsigned char *p = buf;
		if (first && header) {
			unsigned char *nl = memchr(buf, '\n', n);
			if (!nl) {
				rc = iko_error_set(IKO_EPARSE, "%s: header line longer than 64 KiB", src);
				break;
			}
			iko_sha256_update(&h, header, strlen(header));
			count_bytes(cnt, (const unsigned char *)header, strlen(header));
			if (dst && fwrite(header, 1, strlen(header), dst) != strlen(header)) {
				rc = iko_error_set_errno(IKO_EIO, "cannot write the package");
				break;
			}
			n -= (size_t)(nl + 1 - buf);
			p = nl + 1;
		}
		first = 0;
		iko_sha256_update(&h, p, n);
		count_bytes(cnt, p, n);
		if (dst && fwrite(p, 1, n, dst) != n) {
			rc = iko_error_set_errno(IKO_EIO, "cannot write the package");
			break;
		}
	}
	if (!rc && ferror(in))
		rc = iko_error_set_errno(IKO_EIO, "cannot read %s", src);
	fclose(in);
	iko_sha256_final_hex(&h, sha);
	return rc;
}

/* pack and pack_version from in_dir/manifest.json or in_dir/../transform/manifest.json. */
static void find_pack(const char *in_dir, char **pack, char **version)
{
	static const char *const rel[] = { "manifest.json", "../transform/manifest.json" };
	size_t i;

	for (i = 0; i < 2 && !*pack; i++) {
		char *p = iko_path_join(in_dir, rel[i]);
		iko_yaml_doc *m = NULL;
		if (p && iko_path_exists(p) && !iko_yaml_load_file(&m, p)) {
			const char *a = iko_yaml_str(iko_yaml_root(m), "pack", NULL);
			const char *b = iko_yaml_str(iko_yaml_root(m), "pack_version", NULL);
			if (a && b) {
				*pack = iko_strdup(a);
				*version = iko_strdup(b);
			}
		}
		iko_yaml_free(m);
		free(p);
	}
}

static int add_file(zip_t *z, const char *name, const char *path)
{
	zip_source_t *src = zip_source_file(z, path, 0, -1);

	if (!src || zip_file_add(z, name, src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) < 0) {
		if (src)
			zip_source_free(src);
		return iko_error_set(IKO_EIO, "cannot add %s to the package: %s", name, zip_strerror(z));
	}
	return 0;
}

static int header_line(iko_buf *b, const iko_table *t, int ja)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < t->ncols && !rc; i++) {
		if (i)
			rc = iko_buf_putc(b, ',');
		if (!rc)
			rc = iko_buf_puts(b, ja && t->cols[i].label ? t->cols[i].label : t->cols[i].name);
	}
	return rc ? rc : iko_buf_putc(b, '\n');
}

int iko_package_write(iko_package_result *out, const iko_package_options *o)
{
	const iko_schema *s = o->schema;
	char *tmpzip = NULL, *pack = NULL, *pver = NULL, created[21];
	char **staged = NULL;
	zip_t *z = NULL;
	iko_buf b = IKO_BUF_INIT, mj = IKO_BUF_INIT;
	iko_json j;
	size_t i;
	int err = 0, rc = 0;

	memset(out, 0, sizeof(*out));
	if (!s || !o->lg_code || !o->in_dir || !o->out)
		return iko_error_set(IKO_EINVAL, "package: schema, lg_code, in_dir and out are required");
	out->tables = calloc(s->ntables + 1, sizeof(*out->tables));
	staged = calloc(s->ntables + 1, sizeof(char *));
	tmpzip = iko_tmpname(o->out);
	if (!out->tables || !staged || !tmpzip) {
		rc = iko_error_set(IKO_ENOMEM, "out of memory");
		goto done;
	}
	out->ntables = s->ntables;
	if (o->pack) {
		pack = iko_strdup(o->pack);
		pver = iko_strdup(o->pack_version ? o->pack_version : "");
	} else {
		find_pack(o->in_dir, &pack, &pver);
	}
	z = zip_open(tmpzip, ZIP_CREATE | ZIP_TRUNCATE, &err);
	if (!z) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, err);
		rc = iko_error_set(IKO_EIO, "cannot create %s: %s", tmpzip, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		goto done;
	}
	for (i = 0; i < s->ntables; i++) {
		const iko_table *t = &s->tables[i];
		char *src = iko_aprintf("%s/%s.csv", o->in_dir, t->name), *name = iko_aprintf("%s.csv", t->name);
		counter cnt = { 0, 0, 0 };
		FILE *f = NULL;

		out->tables[i].table = iko_strdup(t->name);
		staged[i] = iko_aprintf("%s.%zu.stage", tmpzip, i);
		if (staged[i])
			iko_tmp_remember(staged[i]);
		iko_buf_clear(&b);
		if (!src || !name || !out->tables[i].table || !staged[i] || (rc = header_line(&b, t, o->japanese_header))) {
			rc = rc ? rc : iko_error_set(IKO_ENOMEM, "out of memory");
		} else if (!(f = fopen(staged[i], "wb"))) {
			rc = iko_error_set_errno(IKO_EIO, "cannot create %s", staged[i]);
		} else {
			/* the stored CSV: our header line, then the validated rows */
			rc = copy_csv(f, src, iko_buf_cstr(&b), &cnt, out->tables[i].sha256);
			if (fclose(f) && !rc)
				rc = iko_error_set_errno(IKO_EIO, "cannot write %s", staged[i]);
			if (!rc)
				rc = add_file(z, name, staged[i]);
			out->tables[i].rows = count_end(&cnt);
		}
		free(src);
		free(name);
		if (rc)
			goto done;
	}
	iko_now_iso(created);
	iko_json_init(&j, &mj);
	iko_json_object_begin(&j);
	iko_json_kv_str(&j, "format", FORMAT);
	iko_json_kv_str(&j, "schema", s->name);
	iko_json_kv_str(&j, "schema_version", s->version);
	iko_json_kv_str(&j, "pack", pack);
	iko_json_kv_str(&j, "pack_version", pver);
	iko_json_kv_str(&j, "lg_code", o->lg_code);
	iko_json_kv_str(&j, "created", created);
	iko_json_kv_str(&j, "header", o->japanese_header ? "ja" : "en");
	iko_json_key(&j, "tables");
	iko_json_array_begin(&j);
	for (i = 0; i < s->ntables; i++) {
		char *file = iko_aprintf("%s.csv", s->tables[i].name);
		iko_json_object_begin(&j);
		iko_json_kv_str(&j, "table", s->tables[i].name);
		iko_json_kv_str(&j, "file", file);
		iko_json_kv_int(&j, "rows", out->tables[i].rows);
		iko_json_kv_str(&j, "sha256", out->tables[i].sha256);
		iko_json_kv_int(&j, "columns", (long long)s->tables[i].ncols);
		iko_json_object_end(&j);
		free(file);
	}
	iko_json_array_end(&j);
	iko_json_object_end(&j);
	if ((rc = iko_json_finish(&j)))
		goto done;
	if ((rc = iko_buf_putc(&mj, '\n')))
		goto done;
	{
		zip_source_t *ms = zip_source_buffer(z, mj.ptr, mj.len, 0);
		if (!ms || zip_file_add(z, "manifest.json", ms, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) < 0) {
			if (ms)
				zip_source_free(ms);
			rc = iko_error_set(IKO_EIO, "cannot add manifest.json: %s", zip_strerror(z));
			goto done;
		}
	}
	if (zip_close(z) < 0) {
		rc = iko_error_set(IKO_EIO, "cannot write %s: %s", tmpzip, zip_strerror(z));
		goto done;
	}
	z = NULL;
	if (chmod(tmpzip, 0600)) { /* personal data */
		rc = iko_error_set_errno(IKO_EIO, "cannot chmod %s", tmpzip);
		goto done;
	}
	if ((rc = iko_commit_rename(tmpzip, o->out)))
		goto done;
	out->lg_code = iko_strdup(o->lg_code);
	out->schema = iko_strdup(s->name);
	out->schema_version = iko_strdup(s->version);
	out->ok = 1;
done:
	if (z)
		zip_discard(z);
	if (rc && tmpzip)
		remove(tmpzip);
	iko_tmp_forget(tmpzip);
	for (i = 0; staged && i < s->ntables; i++) {
		if (staged[i])
			remove(staged[i]);
		iko_tmp_forget(staged[i]);
		free(staged[i]);
	}
	free(staged);
	free(tmpzip);
	free(pack);
	free(pver);
	iko_buf_release(&b);
	iko_buf_release(&mj);
	if (rc)
		iko_package_result_release(out);
	return rc;
}

/* ---- verify ---------------------------------------------------------------- */

static int problem(iko_package_result *out, const char *fmt, const char *a, const char *b)
{
	if (!out->problem) {
		iko_buf m = IKO_BUF_INIT;
		if (iko_buf_puts(&m, "")) /* allocate */
			return IKO_ENOMEM;
		for (; *fmt; fmt++) {
			if (fmt[0] == '%' && fmt[1] == 's') {
				if (iko_buf_puts(&m, a ? a : ""))
					return IKO_ENOMEM;
				a = b;
				fmt++;
			} else if (iko_buf_putc(&m, *fmt)) {
				return IKO_ENOMEM;
			}
		}
		out->problem = iko_buf_detach(&m);
	}
	out->ok = 0;
	return 0;
}

static int read_member(zip_t *z, zip_int64_t idx, counter *cnt, char sha[65], iko_buf *all)
{
	zip_file_t *f = zip_fopen_index(z, (zip_uint64_t)idx, 0);
	unsigned char buf[1 << 16];
	zip_int64_t n;
	iko_sha256 h;

	if (!f)
		return -1;
	iko_sha256_init(&h);
	while ((n = zip_fread(f, buf, sizeof(buf))) > 0) {
		iko_sha256_update(&h, buf, (size_t)n);
		if (cnt)
			count_bytes(cnt, buf, (size_t)n);
		if (all && iko_buf_put(all, buf, (size_t)n)) {
			zip_fclose(f);
			return IKO_ENOMEM;
		}
	}
	zip_fclose(f);
	iko_sha256_final_hex(&h, sha);
	return n < 0 ? -1 : 0;
}

int iko_package_verify(iko_package_result *out, const char *path)
{
	zip_t *z;
	zip_int64_t idx, nent, i;
	iko_buf mbuf = IKO_BUF_INIT;
	iko_yaml_doc *m = NULL;
	const iko_yaml_node *root, *tables;
	char sha[65], *tmp = NULL;
	int err = 0, rc = 0;
	size_t k;

	memset(out, 0, sizeof(*out));
	z = zip_open(path, ZIP_RDONLY, &err);
	if (!z) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, err);
		iko_error_set(err == ZIP_ER_NOENT || err == ZIP_ER_OPEN ? IKO_ENOTFOUND : IKO_EIO,
			      "cannot open %s: %s", path, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return iko_error_code();
	}
	out->ok = 1;
	idx = zip_name_locate(z, "manifest.json", 0);
	if (idx < 0 || read_member(z, idx, NULL, sha, &mbuf)) {
		rc = problem(out, "no readable manifest.json%s", "", NULL);
		goto done;
	}
	/* the manifest is JSON, which the YAML loader reads */
	tmp = iko_tmpname(path);
	if (!tmp) {
		rc = IKO_ENOMEM;
		goto done;
	}
	{
		FILE *f = fopen(tmp, "wb");
		int bad = !f || fwrite(mbuf.ptr, 1, mbuf.len, f) != mbuf.len;
		if (f && fclose(f))
			bad = 1;
		if (bad) {
			rc = iko_error_set_errno(IKO_EIO, "cannot write %s", tmp);
			goto done;
		}
	}
	if (iko_yaml_load_file(&m, tmp)) {
		rc = problem(out, "manifest.json does not parse: %s", iko_error_message(), NULL);
		goto done;
	}
	root = iko_yaml_root(m);
	if (strcmp(iko_yaml_str(root, "format", ""), FORMAT)) {
		rc = problem(out, "manifest.json: format is not %s", FORMAT, NULL);
		goto done;
	}
	out->lg_code = iko_strdup(iko_yaml_str(root, "lg_code", ""));
	out->schema = iko_strdup(iko_yaml_str(root, "schema", ""));
	out->schema_version = iko_strdup(iko_yaml_str(root, "schema_version", ""));
	tables = iko_yaml_get(root, "tables");
	out->ntables = iko_yaml_count(tables);
	out->tables = calloc(out->ntables + 1, sizeof(*out->tables));
	if (!out->tables || !out->lg_code || !out->schema || !out->schema_version) {
		rc = IKO_ENOMEM;
		goto done;
	}
	for (k = 0; k < out->ntables; k++) {
		const iko_yaml_node *t = iko_yaml_at(tables, k);
		const char *file = iko_yaml_str(t, "file", "");
		long long want_rows = 0;
		counter cnt = { 0, 0, 0 };
		iko_package_table *pt = &out->tables[k];

		pt->table = iko_strdup(iko_yaml_str(t, "table", ""));
		if (!pt->table) {
			rc = IKO_ENOMEM;
			goto done;
		}
		if (iko_yaml_int(&want_rows, t, "rows", -1)) {
			rc = problem(out, "manifest.json: rows of %s is not a number", pt->table, NULL);
			continue;
		}
		idx = zip_name_locate(z, file, 0);
		if (idx < 0) {
			rc = problem(out, "member %s listed in manifest.json is missing", file, NULL);
			continue;
		}
		if (read_member(z, idx, &cnt, pt->sha256, NULL)) {
			rc = problem(out, "member %s cannot be read: %s", file, zip_strerror(z));
			continue;
		}
		pt->rows = count_end(&cnt);
		pt->ok = pt->rows == want_rows && !strcmp(pt->sha256, iko_yaml_str(t, "sha256", ""));
		if (!pt->ok)
			rc = problem(out, pt->rows != want_rows ? "%s: row count differs from manifest.json%s"
								: "%s: SHA-256 differs from manifest.json%s", file, "");
	}
	nent = zip_get_num_entries(z, 0);
	for (i = 0; i < nent; i++) {
		const char *nm = zip_get_name(z, (zip_uint64_t)i, 0);
		int listed = nm && !strcmp(nm, "manifest.json");
		for (k = 0; nm && !listed && k < out->ntables; k++)
			listed = !strcmp(iko_yaml_str(iko_yaml_at(tables, k), "file", ""), nm);
		if (!listed)
			rc = problem(out, "member %s is not listed in manifest.json%s", nm ? nm : "?", "");
	}
done:
	if (tmp) {
		remove(tmp);
		iko_tmp_forget(tmp);
		free(tmp);
	}
	iko_yaml_free(m);
	iko_buf_release(&mbuf);
	zip_discard(z);
	return rc;
}

void iko_package_result_release(iko_package_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; r->tables && i < r->ntables; i++)
		free(r->tables[i].table);
	free(r->tables);
	free(r->lg_code);
	free(r->schema);
	free(r->schema_version);
	free(r->problem);
	memset(r, 0, sizeof(*r));
}
