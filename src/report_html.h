/* The run as one self-contained HTML page: the findings first, then per
   process an SVG timeline of library lifetimes and the process tree.
   Written from the same findings and timelines as the JSON report,
   atomically.  Inline CSS, SVG and a little JavaScript; nothing is
   fetched, and everything is readable with JavaScript off. */
#ifndef TA_REPORT_HTML_H
#define TA_REPORT_HTML_H

#include <stdbool.h>

/* Fail early, before the command starts, if path cannot be written. */
bool report_html_check(const char *path);
/* Write the page; command_status is the command's wait status.  Returns
   false (with a message) if it could not be written. */
bool report_html_write(const char *path, char **command, int command_status);

#endif
