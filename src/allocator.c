#include "config.h"
#include "allocator.h"
#include "basename.h"
#include "elfsym.h"
#include "error.h"
#include "glibc.h"
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
	/* The base namespace's: another (dlmopen) has its own libc, whose
	   malloc serves that namespace only. */
	for (size_t i = 0; i < s->n && !def; i++) {
		struct elf_symbol sym;
		if (s->libs[i].ns == 0 && s->libs[i].elf &&
		    elfsym_find_dynamic(s->libs[i].elf, "malloc", &sym))
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
	if (!glibc_version_of_file(elfsym_fd(def->elf), &major, &minor)) {
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
