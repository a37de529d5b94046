#include "config.h"
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *program_name = PACKAGE;
bool debug_enabled;

static void ATTR_FORMAT(1, 0)
vmsg(const char *fmt, va_list ap, int err)
{
	/* One fprintf per line keeps our lines whole when the target writes to
	   the same stderr. */
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (err)
		fprintf(stderr, "%s: %s: %s\n", program_name, buf, strerror(err));
	else
		fprintf(stderr, "%s: %s\n", program_name, buf);
}

void
error_msg(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
}

void
perror_msg(const char *fmt, ...)
{
	int err = errno;
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap, err);
	va_end(ap);
}

void
error_msg_and_die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
	exit(EXIT_FAILURE);
}

void
perror_msg_and_die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap, err);
	va_end(ap);
	exit(EXIT_FAILURE);
}

void
debug_msg(const char *fmt, ...)
{
	if (!debug_enabled)
		return;
	int err = errno;
	va_list ap;
	va_start(ap, fmt);
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: debug: %s\n", program_name, buf);
	errno = err;
}
