/*
 * fuzz_codec.c — every codec of extract/iko_codec.h. The first byte picks
 * the encoding, the second the mode (bit 0: a DBCS-only PIC N/G field;
 * bit 1: decode in two appended pieces cut at the third byte), the rest is
 * the field. Every field is also decoded by iko_codec_decode_field, which
 * must give what iko_codec_decode_append and a trim of the spaces at the
 * end give (CP932 and Shift_JIS skip a run of spaces that ends the field). Each codec is opened once per process with a gaiji table that
 * maps a few user-area codes of every family, so both the mapped and the
 * 〓 (unmapped) paths run.
 */
#include "fuzz_common.h"

#include "iko_buf.h"
#include "iko_codec.h"
#include "iko_utf8.h"

#include <string.h>

static const char *const encodings[] = {
	"CP932", "SHIFT_JIS", "IBM930", "IBM939", "IBM1390", "IBM1399",
	"JEF", "KEIS", "JIPSE", "EUC-JP", "IBM037", "ASCII",
};
#define NENC (sizeof(encodings) / sizeof(encodings[0]))

static const char gaiji_csv[] =
	"code,unicode,mj,note\n"
	"F040,U+9AD9,MJ028902,SJIS user area\n"
	"F9FC,U+5409 U+20BB7,,two code points\n"
	"6941,U+9AD9,,EBCDIC DBCS user area\n"
	"7FFE,U+FA11,,\n"
	"80A1,U+9AD9,,JEF user area\n"
	"A0FE,U+6F22,,\n"
	"81A1,U+9AD9,,KEIS user area\n";

static iko_codec *codecs[NENC];

static void close_codecs(void)
{
	size_t i;

	for (i = 0; i < NENC; i++) {
		iko_codec_free(codecs[i]);
		codecs[i] = NULL;
	}
}

static iko_codec *codec(size_t k)
{
	static int registered;
	char path[512];

	if (codecs[k])
		return codecs[k];
	if (!registered) {
		fz_path(path, sizeof(path), "gaiji.csv");
		fz_write(path, gaiji_csv, sizeof(gaiji_csv) - 1);
		atexit(close_codecs);
		registered = 1;
	}
	fz_path(path, sizeof(path), "gaiji.csv");
	if (iko_codec_open(&codecs[k], encodings[k]) || iko_codec_load_gaiji(codecs[k], path)) {
		fprintf(stderr, "fuzz_codec: %s: %s\n", encodings[k], iko_error_message());
		abort();
	}
	return codecs[k];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	iko_buf out = IKO_BUF_INIT;
	iko_codec *c;
	size_t cut, pos = 0;
	int mode, rc;
	char hex[9];
	long long count;

	if (size < 3)
		return 0;
	c = codec(data[0] % NENC);
	mode = data[1];
	cut = data[2];
	data += 3;
	size -= 3;
	if (cut > size)
		cut = size;
	if (mode & 2) {
		rc = iko_codec_decode_append(c, &out, data, cut, mode & 1);
		if (rc == 0)
			rc = iko_codec_decode_append(c, &out, data + cut, size - cut, mode & 1);
	} else {
		rc = iko_codec_decode(c, &out, data, size, mode & 1);
	}
	if (rc == 0 && (!out.ptr || out.ptr[out.len] != '\0'))
		abort(); /* decoded text must be NUL-terminated at len */
	if (rc >= 0) {
		iko_buf a = IKO_BUF_INIT, b = IKO_BUF_INIT;
		int ra, rb;
		iko_buf_puts(&a, "p,");
		iko_buf_puts(&b, "p,");
		ra = iko_codec_decode_field(c, &a, data, size, mode & 1);
		rb = iko_codec_decode_append(c, &b, data, size, mode & 1);
		if (rb == 0)
			iko_buf_truncate(&b, 2 + iko_utf8_rtrim_len(b.ptr + 2, b.len - 2));
		if (ra != rb || a.len != b.len || memcmp(a.ptr, b.ptr, a.len))
			abort(); /* decode_field is decode_append and a trim */
		iko_buf_release(&a);
		iko_buf_release(&b);
	}
	while (iko_codec_next_unmapped(c, &pos, hex, &count))
		;
	iko_buf_release(&out);
	iko_error_clear();
	return 0;
}
