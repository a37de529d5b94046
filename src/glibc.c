#include "config.h"
#include "glibc.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Bound the search for the version text: libc.so.6 is about 2 MiB. */
#define VERSION_SCAN_MAX	(64UL << 20)
#define VERSION_CHUNK		(64UL << 10)

static const char release_text[] = "release version ";

static bool
parse_version(const char *s, const char *end, unsigned int *major, unsigned int *minor)
{
	unsigned long v[2] = { 0, 0 };
	for (int k = 0; k < 2; k++) {
		const char *first = s;
		while (s < end && *s >= '0' && *s <= '9' && s - first < 4)
			v[k] = v[k] * 10 + (unsigned long)(*s++ - '0');
		if (s == first)
			return false;
		if (k == 0 && (s >= end || *s++ != '.'))
			return false;
	}
	*major = (unsigned int)v[0];
	*minor = (unsigned int)v[1];
	return true;
}

bool
glibc_version_of_file(int fd, unsigned int *major, unsigned int *minor)
{
	*major = *minor = 0;
	if (fd < 0)
		return false;
	/* Chunks overlap by the length of what is looked for, plus the
	   digits after it. */
	const size_t keep = sizeof(release_text) + 16;
	char *buf = xmalloc(VERSION_CHUNK + keep);
	size_t have = 0;
	bool found = false;
	for (off_t off = 0; off < (off_t)VERSION_SCAN_MAX && !found;) {
		ssize_t r = pread(fd, buf + have, VERSION_CHUNK, off);
		if (r <= 0)
			break;
		off += r;
		have += (size_t)r;
		const char *end = buf + have;
		for (const char *p = buf; (p = memchr(p, 'r', (size_t)(end - p)));) {
			if ((size_t)(end - p) < sizeof(release_text) - 1 + 4)
				break;
			if (!memcmp(p, release_text, sizeof(release_text) - 1) &&
			    parse_version(p + sizeof(release_text) - 1, end, major, minor)) {
				found = true;
				break;
			}
			p++;
		}
		if (have > keep) {
			memmove(buf, buf + have - keep, keep);
			have = keep;
		}
	}
	free(buf);
	return found;
}
