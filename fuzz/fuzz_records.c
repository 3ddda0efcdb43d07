/*
 * fuzz_records.c — the record readers and field decoders of the extract
 * stage (extract/iko_extract.c: fixed, lines, rdw, vb, csv; zoned, packed,
 * binary and text fields; record types), run end to end through
 * iko_extract_run() into a scratch directory.
 *
 * Byte 0 picks the record format, byte 1 the encoding, byte 2 the layout
 * (low bits) and the serial reader (bit 7; else the decoding threads);
 * the rest is the legacy file.
 */
#include "fuzz_common.h"

#include "iko_extract.h"

static const char *const recfms[] = { "fixed", "lines", "rdw", "vb", "csv" };
static const char *const encodings[] = { "CP932", "IBM930", "JEF", "KEIS", "JIPSE", "EUC-JP", "IBM037" };

/* Every field type, a FILLER, signed binary and a P-scaled packed field. */
static const char layout_all[] =
	"record_length: 24\n"
	"fields:\n"
	"  - {name: KEY, type: X, length: 4}\n"
	"  - {name: NAME, type: N, length: 6}\n"
	"  - {name: AGE, type: \"9\", length: 3}\n"
	"  - {name: AMT, type: S9, length: 4, scale: 2}\n"
	"  - {name: PK, type: P, length: 3, scale: 1}\n"
	"  - {name: BIN, type: B, length: 2, signed: true}\n"
	"  - {name: FILLER, length: 2}\n";

/* Header / detail / trailer chosen by the first byte, OCCURS, wide binaries. */
static const char layout_types[] =
	"record_type: {offset: 0, length: 1}\n"
	"records:\n"
	"  - name: H\n"
	"    when: \"1\"\n"
	"    fields: [{name: T, length: 1}, {name: DATE, type: \"9\", length: 8}]\n"
	"  - name: D\n"
	"    when: \"2\"\n"
	"    fields: [{name: T, length: 1}, {name: ID, type: \"9\", length: 3, occurs: 2},\n"
	"             {name: B8, type: B, length: 8}, {name: NM, type: X, length: 4}]\n"
	"  - name: E\n"
	"    when: \"9\"\n"
	"    fields: [{name: T, length: 1}, {name: CNT, type: P, length: 8, scale: 3},\n"
	"             {name: B16, type: B, length: 16, signed: true}]\n";

/* A delimited file with a header line. */
static const char layout_csv[] =
	"header: true\n"
	"fields:\n"
	"  - {name: CODE, type: X, length: 7}\n"
	"  - {name: NUM, type: S9, length: 5, scale: 1}\n"
	"  - {name: KANJI, type: N, length: 20}\n";

static const char *const layouts[] = { layout_all, layout_types, layout_csv };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	iko_extract_options o = IKO_EXTRACT_OPTIONS_INIT;
	iko_extract_stats st;
	char lay[512], in[512], out[512];
	const char *layout;

	if (size < 3)
		return 0;
	layout = layouts[(data[2] & 0x7F) % 3];
	fz_path(lay, sizeof(lay), "layout.yaml");
	fz_path(in, sizeof(in), "INPUT.DAT");
	fz_path(out, sizeof(out), layout == layout_types ? "out" : "out.csv");
	fz_write(lay, layout, strlen(layout));
	fz_write(in, data + 3, size - 3);
	if (data[2] & 0x80)
		setenv("IKO_EXTRACT_THREADS", "1", 1);
	else
		unsetenv("IKO_EXTRACT_THREADS");
	o.layout_path = lay;
	o.input = in;
	o.out = out;
	o.recfm = recfms[data[0] % 5];
	o.encoding = encodings[data[1] % (sizeof(encodings) / sizeof(encodings[0]))];
	if (iko_extract_run(&st, &o) == 0 && st.records_read != st.records_written + st.records_rejected)
		abort(); /* the stage's own invariant */
	iko_extract_stats_release(&st);
	iko_error_clear();
	return 0;
}
