/*
 * banned.h — functions iko code must not call (force-included in every
 * translation unit of libiko and the CLI). Use iko_buf and snprintf instead
 * of unbounded string functions, gmtime_r/localtime_r instead of the
 * non-reentrant time conversions.
 */
#ifndef IKO_BANNED_H
#define IKO_BANNED_H

#define IKO_BANNED(func) sorry_##func##_is_banned_in_iko

#undef strcpy
#define strcpy(x, y) IKO_BANNED(strcpy)
#undef strcat
#define strcat(x, y) IKO_BANNED(strcat)
#undef sprintf
#define sprintf(...) IKO_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) IKO_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) IKO_BANNED(strtok)
#undef gmtime
#define gmtime(x) IKO_BANNED(gmtime)
#undef localtime
#define localtime(x) IKO_BANNED(localtime)
#undef gets
#define gets(x) IKO_BANNED(gets)

#endif
