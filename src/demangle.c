#include "config.h"
#include "demangle.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* From the C++ ABI; libstdc++ provides it. */
extern char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

char *
demangle(const char *name)
{
	if (!name)
		return NULL;
	if (strncmp(name, "_Z", 2) == 0) {
		int status = 0;
		char *d = __cxa_demangle(name, NULL, NULL, &status);
		if (d && status == 0)
			return d;
		free(d);
	}
	return xstrdup(name);
}
