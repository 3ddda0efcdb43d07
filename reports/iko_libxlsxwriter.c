/*
 * iko_libxlsxwriter.c — libxlsxwriter, loaded when a workbook is first
 * written.
 *
 * libxlsxwriter.so.4 brings minizip and OpenSSL's libcrypto with it;
 * mapping and relocating them at every start cost every command a few
 * milliseconds (common/iko_dynlib.h) though few write a workbook. So iko is
 * not linked with it: the functions reports/iko_workbook.c calls are
 * defined here with xlsxwriter.h's prototypes and call the library's own,
 * loaded by the first call. iko_workbook_open checks the library first
 * (iko_libxlsxwriter_load), so a missing one is one clear message:
 * "cannot load the xlsx writer library: … (apt-get install libxlsxwriter4)".
 *
 * IKO_LIBXLSXWRITER, when set, names the file to load instead.
 */
#include "iko_dynlib.h"
#include "iko_workbook.h"

#include <xlsxwriter.h>

static iko_dynlib lx = IKO_DYNLIB_INIT("libxlsxwriter.so.4", "IKO_LIBXLSXWRITER", "the xlsx writer library",
				       "libxlsxwriter4", 0);

int iko_libxlsxwriter_load(void)
{
	return iko_dynlib_load(&lx);
}

#define FN(ret, name, params, args, fail) IKO_DYN_FN(lx, ret, name, params, args, fail)
#define VFN(name, params, args) IKO_DYN_VFN(lx, name, params, args)

/* the workbook */
FN(lxw_workbook *, workbook_new_opt, (const char *filename, lxw_workbook_options *options), (filename, options),
   NULL)
FN(lxw_worksheet *, workbook_add_worksheet, (lxw_workbook *workbook, const char *sheetname), (workbook, sheetname),
   NULL)
FN(lxw_format *, workbook_add_format, (lxw_workbook *workbook), (workbook), NULL)
FN(lxw_error, workbook_close, (lxw_workbook *workbook), (workbook), LXW_ERROR_MEMORY_MALLOC_FAILED)
VFN(lxw_workbook_free, (lxw_workbook *workbook), (workbook))
FN(char *, lxw_strerror, (lxw_error error_num), (error_num), (char *)iko_dynlib_why(&lx))

/* formats */
VFN(format_set_bold, (lxw_format *format), (format))
VFN(format_set_unlocked, (lxw_format *format), (format))
VFN(format_set_num_format, (lxw_format *format, const char *num_format), (format, num_format))
VFN(format_set_font_size, (lxw_format *format, double size), (format, size))
VFN(format_set_font_color, (lxw_format *format, lxw_color_t color), (format, color))
VFN(format_set_bg_color, (lxw_format *format, lxw_color_t color), (format, color))
VFN(format_set_pattern, (lxw_format *format, uint8_t index), (format, index))
VFN(format_set_bottom, (lxw_format *format, uint8_t style), (format, style))

/* worksheets */
FN(lxw_error, worksheet_write_string,
   (lxw_worksheet *worksheet, lxw_row_t row, lxw_col_t col, const char *string, lxw_format *format),
   (worksheet, row, col, string, format), LXW_ERROR_MEMORY_MALLOC_FAILED)
FN(lxw_error, worksheet_write_number,
   (lxw_worksheet *worksheet, lxw_row_t row, lxw_col_t col, double number, lxw_format *format),
   (worksheet, row, col, number, format), LXW_ERROR_MEMORY_MALLOC_FAILED)
FN(lxw_error, worksheet_write_datetime,
   (lxw_worksheet *worksheet, lxw_row_t row, lxw_col_t col, lxw_datetime *datetime, lxw_format *format),
   (worksheet, row, col, datetime, format), LXW_ERROR_MEMORY_MALLOC_FAILED)
FN(lxw_error, worksheet_write_blank, (lxw_worksheet *worksheet, lxw_row_t row, lxw_col_t col, lxw_format *format),
   (worksheet, row, col, format), LXW_ERROR_MEMORY_MALLOC_FAILED)
FN(lxw_error, worksheet_set_column,
   (lxw_worksheet *worksheet, lxw_col_t first_col, lxw_col_t last_col, double width, lxw_format *format),
   (worksheet, first_col, last_col, width, format), LXW_ERROR_MEMORY_MALLOC_FAILED)
FN(lxw_error, worksheet_autofilter,
   (lxw_worksheet *worksheet, lxw_row_t first_row, lxw_col_t first_col, lxw_row_t last_row, lxw_col_t last_col),
   (worksheet, first_row, first_col, last_row, last_col), LXW_ERROR_MEMORY_MALLOC_FAILED)
FN(lxw_error, worksheet_data_validation_range,
   (lxw_worksheet *worksheet, lxw_row_t first_row, lxw_col_t first_col, lxw_row_t last_row, lxw_col_t last_col,
    lxw_data_validation *validation),
   (worksheet, first_row, first_col, last_row, last_col, validation), LXW_ERROR_MEMORY_MALLOC_FAILED)
VFN(worksheet_freeze_panes, (lxw_worksheet *worksheet, lxw_row_t row, lxw_col_t col), (worksheet, row, col))
VFN(worksheet_protect, (lxw_worksheet *worksheet, const char *password, lxw_protection *options),
    (worksheet, password, options))
