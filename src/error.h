/* Error and diagnostic messages of the tool itself (never the report). */
#ifndef TA_ERROR_H
#define TA_ERROR_H

#include <stdbool.h>

#define ATTR_FORMAT(fmt, args) __attribute__((format(printf, fmt, args)))
#define ATTR_NORETURN __attribute__((noreturn))

extern const char *program_name;
extern bool debug_enabled;

/* "teardown-audit: MESSAGE" on stderr. */
void error_msg(const char *fmt, ...) ATTR_FORMAT(1, 2);
/* Same, followed by ": " and strerror(errno). */
void perror_msg(const char *fmt, ...) ATTR_FORMAT(1, 2);
/* Only during set-up, before any tracee exists. */
void error_msg_and_die(const char *fmt, ...) ATTR_FORMAT(1, 2) ATTR_NORETURN;
void perror_msg_and_die(const char *fmt, ...) ATTR_FORMAT(1, 2) ATTR_NORETURN;
/* Printed only with --debug. */
void debug_msg(const char *fmt, ...) ATTR_FORMAT(1, 2);

#endif
