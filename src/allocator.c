#include "config.h"
#include "allocator.h"
#include "basename.h"
#include "elfsym.h"
#include "error.h"
#include "tracee.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* heap.c reads the tcache_perthread_struct with 16-bit counts (glibc 2.30)
   and safe-linked lists (2.32); 2.42 reshaped the tcache.  Debian 12 has
   2.36. */
#define GLIBC_LAYOUT_FIRST_MINOR	32
#define GLIBC_LAYOUT_LAST_MINOR		41

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
allocator_glibc_version(int fd, unsigned int *major, unsigned int *minor)
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

const char *
allocator_name(const char *path)
{
	static const struct {
		const char *prefix, *name;
	} known[] = {
		{ "libc.so", "glibc" },
		{ "libjemalloc", "jemalloc" },
		{ "libtcmalloc", "tcmalloc" },
		{ "libmimalloc", "mimalloc" },
		{ "libhoard", "Hoard" },
		{ "libtbbmalloc", "TBB malloc" },
	};
	const char *base = path_basename(path);
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strncmp(base, known[i].prefix, strlen(known[i].prefix)))
			return known[i].name;
	return base;
}

static void
identify(struct process *p, struct allocator *a)
{
	const struct solib_state *s = &p->solib;
	const struct solib *def = NULL;
	for (size_t i = 0; i < s->n && !def; i++) {
		struct elf_symbol sym;
		if (s->libs[i].elf && elfsym_find_dynamic(s->libs[i].elf, "malloc", &sym))
			def = &s->libs[i];
	}
	if (!def) {
		a->reason = xstrdup("no loaded object was seen defining malloc: freed blocks "
				    "cannot be told from live ones");
		return;
	}
	const char *path = def->file ? def->file : def->path[0] ? def->path : p->exe;
	a->object = xstrdup(path ? path : "the program");
	const char *name = allocator_name(a->object);
	const char *base = path_basename(a->object);
	if (strcmp(name, "glibc") != 0) {
		a->reason = xasprintf("malloc is %s's (%s): freed blocks cannot be told from "
				      "live ones", name, base);
		return;
	}
	unsigned int major, minor;
	if (!allocator_glibc_version(elfsym_fd(def->elf), &major, &minor)) {
		a->reason = xasprintf("malloc is glibc's (%s), of a version not found in the "
				      "file: freed blocks cannot be told from live ones", base);
		return;
	}
	debug_msg("pid %d: malloc is glibc %u.%u's (%s)", p->pid, major, minor, a->object);
	if (major != 2 || minor < GLIBC_LAYOUT_FIRST_MINOR || minor > GLIBC_LAYOUT_LAST_MINOR) {
		a->reason = xasprintf("malloc is glibc %u.%u's (%s), whose heap layout is not "
				      "known here: freed blocks cannot be told from live ones",
				      major, minor, base);
		return;
	}
	a->heap_walkable = true;
}

const struct allocator *
allocator_of(struct process *p)
{
	struct allocator *a = &p->alloc;
	if (!a->identified) {
		a->identified = true;
		identify(p, a);
		if (a->reason)
			debug_msg("pid %d: %s", p->pid, a->reason);
	}
	return a;
}
