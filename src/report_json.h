/* The machine-readable report: one JSON document for the whole run
   (doc/report.schema.json), written atomically. */
#ifndef TA_REPORT_JSON_H
#define TA_REPORT_JSON_H

#include <stdbool.h>

/* Fail early, before the command starts, if path cannot be written. */
bool report_json_check(const char *path);
/* Write the report; command_status is the command's wait status.  Returns
   false (with a message) if it could not be written. */
bool report_json_write(const char *path, char **command, int command_status);

#endif
