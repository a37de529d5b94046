/* Report files replaced atomically: written to a temporary file in the
   same directory, then renamed over the target, so that a reader never
   sees half a report.  `what` names the report in messages ("JSON
   report"). */
#ifndef TA_ATOMIC_FILE_H
#define TA_ATOMIC_FILE_H

#include <stdbool.h>
#include <stdio.h>

struct atomic_file {
	FILE *f;
	char *tmp;		/* the temporary file's path */
	const char *path, *what;
};

/* Fail early, before the command starts, if path cannot be written. */
bool atomic_file_check(const char *path, const char *what);
/* Create the temporary file; false (with a message) if it cannot be. */
bool atomic_file_open(struct atomic_file *af, const char *path, const char *what);
/* Flush, sync and rename it over path; on failure remove it.  Returns
   false (with a message) if the report could not be written. */
bool atomic_file_commit(struct atomic_file *af);

#endif
