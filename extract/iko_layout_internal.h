/*
 * iko_layout_internal.h — the in-memory record layout shared by the YAML
 * layout loader and the COBOL copybook parser (extract/ only).
 */
#ifndef IKO_LAYOUT_INTERNAL_H
#define IKO_LAYOUT_INTERNAL_H

#include <stddef.h>

typedef enum ftype { FT_X, FT_N, FT_9, FT_S9, FT_P, FT_B } ftype;

/* How a DISPLAY numeric carries its sign. */
typedef enum xsign {
	XS_TRAILING,          /* overpunch in the last byte (COBOL default) */
	XS_LEADING,           /* overpunch in the first byte */
	XS_TRAILING_SEPARATE, /* a trailing '+' or '-' byte */
	XS_LEADING_SEPARATE   /* a leading '+' or '-' byte */
} xsign;

typedef struct xfield {
	char *name;
	int offset, length;
	int scale;            /* digits after the point; negative: P scaling (×10^-scale) */
	int is_signed, filler;
	ftype type;
	xsign sign;
	int order;            /* FT_B: XO_BIG, XO_LITTLE, or XO_NATIVE (COMP-5: the writing machine's, resolved per run) */
} xfield;

enum { XO_BIG = 0, XO_LITTLE = 1, XO_NATIVE = 2 };

typedef struct xrec {
	char *name, *when;
	xfield *f;
	size_t n;
	int length;           /* bytes covered by the fields */
} xrec;

typedef struct xlayout {
	char *encoding, *recfm;
	int reclen;
	int rt_off, rt_len;   /* record type field, rt_len 0 = single type */
	int csv_header;       /* --recfm csv: the first record is a header */
	xrec *recs;
	size_t nrecs;
} xlayout;

/* Free the contents of a layout (the struct itself is the caller's). */
void iko_xlayout_free(xlayout *l);

/*
 * Parse a COBOL copybook into l (iko_copybook.c). Errors name the file,
 * line and column of what is not supported.
 */
int iko_copybook_load(xlayout *l, const char *path);

#endif
