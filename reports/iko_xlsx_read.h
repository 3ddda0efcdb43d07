/*
 * iko_xlsx_read.h — read cells back from an .xlsx (OOXML SpreadsheetML: a zip
 * of XML parts) with libzip and expat: the workbook's sheet names, shared
 * strings, and every cell of a sheet as text. Enough for reviewed
 * discrepancy workbooks coming back from Excel, LibreOffice or openpyxl:
 * shared strings (rich text runs joined, phonetic guides <rPh> skipped),
 * inline strings, formula results (t="str"), numbers (as written: a date is
 * its serial number, see iko_xlsx_serial_date and iko_xlsx_date1904),
 * booleans.
 */
#ifndef IKO_XLSX_READ_H
#define IKO_XLSX_READ_H

#include <stddef.h>

typedef struct iko_xlsx iko_xlsx;

/* Open path; errors name the file and the part that is missing or malformed. */
int iko_xlsx_open(iko_xlsx **out, const char *path);
void iko_xlsx_close(iko_xlsx *x);

size_t iko_xlsx_nsheets(const iko_xlsx *x);
const char *iko_xlsx_sheet_name(const iko_xlsx *x, size_t i);

/*
 * Called for every non-empty cell in document order: row and col 0-based,
 * text UTF-8, is_number 1 for a numeric cell. Return non-zero to stop
 * (that value is returned by iko_xlsx_read_sheet).
 */
typedef int (*iko_xlsx_cell_fn)(void *ud, unsigned row, unsigned col, const char *text,
				int is_number);
int iko_xlsx_read_sheet(iko_xlsx *x, size_t i, iko_xlsx_cell_fn fn, void *ud);

/* "A1"-style address of (row, col), 0-based, into out (at least 16 bytes). */
void iko_xlsx_cell_name(char *out, size_t n, unsigned row, unsigned col);

/*
 * Whether the workbook counts dates in the 1904 system (workbookPr
 * date1904, as old Excel for Mac wrote them): serial 0 is 1904-01-01
 * instead of 1900-01-00, 1462 days later.
 */
int iko_xlsx_date1904(const iko_xlsx *x);

/*
 * Excel date serial (45678 or "45678.0") → "YYYY-MM-DD" in out[11]; -1 if
 * not a date. date1904: the workbook's date system (iko_xlsx_date1904).
 */
int iko_xlsx_serial_date(char out[11], const char *serial, int date1904);

#endif
