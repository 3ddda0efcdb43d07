/*
 * iko_input.h — open a legacy input: a plain file, or a member of a .zip
 * archive streamed through libzip (no temporary copy).
 *
 *   dump/JUMIN.DAT             a file
 *   dump.zip:JUMIN.DAT         one member of an archive
 *   dump.zip                   the only member of an archive
 *   dump.zip:JUMIN*.DAT        every member matching a shell pattern (* ? [..]),
 *                              in name order, read one after the other as one
 *                              stream (a dump split into volumes)
 */
#ifndef IKO_INPUT_H
#define IKO_INPUT_H

#include <stdio.h>

/*
 * Open spec for reading. *out is a stdio stream owned by the caller
 * (fclose closes the archive too); *name (caller frees) is the member or
 * file base name (the pattern for a pattern), for rejects and messages.
 * Errors: IKO_ENOTFOUND (no such file or member, nothing matches),
 * IKO_EINVAL (an archive with several members and none named), IKO_EIO
 * (not a readable zip archive).
 */
int iko_input_open(FILE **out, char **name, const char *spec);

/* 1 when spec names a zip archive or one of its members. */
int iko_input_is_archive(const char *spec);
/* The last archive member read error of this thread ("CRC error"), or NULL. */
const char *iko_input_error(void);

#endif
