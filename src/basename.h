/* The last component of a path, for compact lines.  No dependencies: the
   event code, the findings and every report writer use it. */
#ifndef TA_BASENAME_H
#define TA_BASENAME_H

/* "libfoo.so" for "/usr/lib/libfoo.so"; the path itself when it ends in a
   slash or has none; "?" for NULL. */
const char *path_basename(const char *path);

#endif
