/* Report file names that name the traced command's pid: "%p" is its pid,
   "%%" a literal '%' (valgrind's --log-file convention), so that one
   teardown-audit per process (a ros2 launch prefix) writes its own file. */
#ifndef TA_OUTPUT_PATH_H
#define TA_OUTPUT_PATH_H

#include <stdbool.h>
#include <sys/types.h>

/* pattern with %p replaced by pid and %% by %; any other '%' is kept.
   Returns a malloc'd string. */
char *output_path_expand(const char *pattern, pid_t pid);
/* Whether pattern holds a %p, so that the name is known only with the pid. */
bool output_path_has_pid(const char *pattern);
/* Before the command starts, whose pid is not known yet: can a file be
   created where pattern says, and is it not a directory?  what names the
   file in the message ("the report", "the JSON report"). */
bool output_path_check(const char *pattern, const char *what);

#endif
