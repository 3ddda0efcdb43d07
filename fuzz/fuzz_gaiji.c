/*
 * fuzz_gaiji.c — the gaiji table reader (iko_codec_load_gaiji over the CSV
 * reader of common/iko_csv.c): the input is GAIJI.CSV, loaded into a fresh
 * IBM930 codec; a table that loads is then used to decode a DBCS field of
 * user-area codes (mapped ones come from the table, the rest become 〓).
 */
#include "fuzz_common.h"

#include "iko_buf.h"
#include "iko_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char field[] = {
		0x69, 0x41, 0x69, 0x42, 0x6A, 0x41, 0x7F, 0xFE, 0x45, 0x41, 0x7F, 0x40, 0x69, 0x41,
	};
	char path[512];
	iko_codec *c = NULL;
	iko_buf out = IKO_BUF_INIT;

	fz_path(path, sizeof(path), "GAIJI.CSV");
	fz_write(path, data, size);
	if (iko_codec_open(&c, "IBM930")) {
		fprintf(stderr, "fuzz_gaiji: %s\n", iko_error_message());
		abort();
	}
	if (iko_codec_load_gaiji(c, path) == 0) {
		(void)iko_codec_decode(c, &out, field, sizeof(field), 1);
		(void)iko_codec_decode(c, &out, field + 4, sizeof(field) - 4, 1);
	}
	iko_buf_release(&out);
	iko_codec_free(c);
	iko_error_clear();
	return 0;
}
