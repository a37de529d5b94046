/* Facts about the glibc a traced process runs: the layouts the tool
   relies on change between releases. */
#ifndef TA_GLIBC_H
#define TA_GLIBC_H

#include <stdbool.h>

/* The release of the libc.so.6 open as fd, from the text its banner
   holds ("... release version 2.36."): found in every glibc, stripped or
   not, of whatever build.  False, and 0.0, when the file has none. */
bool glibc_version_of_file(int fd, unsigned int *major, unsigned int *minor);

#endif
