/* Strings that come from the tracee (argv, paths) may hold anything: a
   newline must never break the report's layout.  Printed as strace does:
   C escapes for control characters and backslashes. */
#ifndef TA_QUOTE_H
#define TA_QUOTE_H

#include <stdio.h>

/* s with \n, \t, \\, \" and \ooo escapes; bytes >= 0x80 are kept (UTF-8
   names stay readable).  NULL prints as "?". */
void quote_print(FILE *out, const char *s);
/* One command-line argument: as it is when it needs no quoting, else in
   double quotes with the escapes above. */
void quote_print_arg(FILE *out, const char *s);
/* The same into a buffer (truncated to size); returns buf. */
char *quote_string(const char *s, char *buf, size_t size);

#endif
