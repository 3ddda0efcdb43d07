/*
 * iko_json.c — streaming JSON writer.
 */
#include "iko_json.h"

#include "iko_error.h"
#include "iko_fs.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void iko_json_init(iko_json *j, iko_buf *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
}

static void indent(iko_json *j)
{
	int i;

	if (iko_buf_putc(j->out, '\n'))
		j->err = IKO_ENOMEM;
	for (i = 0; i < j->depth; i++)
		if (iko_buf_puts(j->out, "  "))
			j->err = IKO_ENOMEM;
}

/* Place a comma and newline before a value unless it follows a key. */
static void before_value(iko_json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->depth > 0) {
		if (j->count[j->depth - 1]++ && iko_buf_putc(j->out, ','))
			j->err = IKO_ENOMEM;
		indent(j);
	}
}

static void put_escaped(iko_json *j, const char *s, size_t len)
{
	size_t i;

	if (iko_buf_putc(j->out, '"'))
		goto oom;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int rc;
		switch (c) {
		case '"': rc = iko_buf_puts(j->out, "\\\""); break;
		case '\\': rc = iko_buf_puts(j->out, "\\\\"); break;
		case '\n': rc = iko_buf_puts(j->out, "\\n"); break;
		case '\r': rc = iko_buf_puts(j->out, "\\r"); break;
		case '\t': rc = iko_buf_puts(j->out, "\\t"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				rc = iko_buf_printf(j->out, "\\u%04x", c);
			else
				rc = iko_buf_putc(j->out, c);
		}
		if (rc)
			goto oom;
	}
	if (iko_buf_putc(j->out, '"'))
		goto oom;
	return;
oom:
	j->err = IKO_ENOMEM;
}

static void open_(iko_json *j, int c)
{
	if (j->err)
		return;
	before_value(j);
	if (j->depth >= IKO_JSON_MAX_DEPTH) {
		j->err = iko_error_set(IKO_EINVAL, "JSON nesting too deep");
		return;
	}
	if (iko_buf_putc(j->out, c))
		j->err = IKO_ENOMEM;
	j->count[j->depth++] = 0;
}

static void close_(iko_json *j, int c)
{
	int had;

	if (j->err)
		return;
	if (j->depth == 0) {
		j->err = iko_error_set(IKO_EINVAL, "JSON writer: unbalanced close");
		return;
	}
	had = j->count[--j->depth];
	if (had)
		indent(j);
	if (iko_buf_putc(j->out, c))
		j->err = IKO_ENOMEM;
}

void iko_json_object_begin(iko_json *j) { open_(j, '{'); }
void iko_json_object_end(iko_json *j) { close_(j, '}'); }
void iko_json_array_begin(iko_json *j) { open_(j, '['); }
void iko_json_array_end(iko_json *j) { close_(j, ']'); }

void iko_json_key(iko_json *j, const char *key)
{
	if (j->err)
		return;
	before_value(j);
	put_escaped(j, key, strlen(key));
	if (iko_buf_puts(j->out, ": "))
		j->err = IKO_ENOMEM;
	j->after_key = 1;
}

void iko_json_strn(iko_json *j, const char *s, size_t len)
{
	if (j->err)
		return;
	before_value(j);
	put_escaped(j, s, len);
}

void iko_json_str(iko_json *j, const char *s)
{
	if (!s) {
		iko_json_null(j);
		return;
	}
	iko_json_strn(j, s, strlen(s));
}

void iko_json_int(iko_json *j, long long v)
{
	if (j->err)
		return;
	before_value(j);
	if (iko_buf_printf(j->out, "%lld", v))
		j->err = IKO_ENOMEM;
}

void iko_json_double(iko_json *j, double v)
{
	if (j->err)
		return;
	before_value(j);
	if (!isfinite(v)) {
		if (iko_buf_puts(j->out, "null"))
			j->err = IKO_ENOMEM;
		return;
	}
	if (iko_buf_printf(j->out, "%.6f", v))
		j->err = IKO_ENOMEM;
}

void iko_json_bool(iko_json *j, int v)
{
	if (j->err)
		return;
	before_value(j);
	if (iko_buf_puts(j->out, v ? "true" : "false"))
		j->err = IKO_ENOMEM;
}

void iko_json_null(iko_json *j)
{
	if (j->err)
		return;
	before_value(j);
	if (iko_buf_puts(j->out, "null"))
		j->err = IKO_ENOMEM;
}

void iko_json_kv_str(iko_json *j, const char *key, const char *s)
{
	iko_json_key(j, key);
	iko_json_str(j, s);
}

void iko_json_kv_int(iko_json *j, const char *key, long long v)
{
	iko_json_key(j, key);
	iko_json_int(j, v);
}

int iko_json_finish(iko_json *j)
{
	if (!j->err && j->depth != 0)
		j->err = iko_error_set(IKO_EINVAL, "JSON writer: unclosed object");
	if (!j->err && iko_buf_putc(j->out, '\n'))
		j->err = IKO_ENOMEM;
	if (j->err == IKO_ENOMEM)
		iko_error_set(IKO_ENOMEM, "out of memory");
	return j->err;
}

int iko_json_write_file(const char *path, const iko_buf *buf)
{
	return iko_write_file(path, iko_buf_cstr(buf), buf->len, 0644);
}
