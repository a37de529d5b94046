/* Which malloc a process uses, and whether heap.c can tell its freed
   blocks from live ones.  The heap walk knows only glibc's malloc, as laid
   out by the versions listed in allocator.c; under jemalloc, tcmalloc or
   mimalloc a freed object keeps its old vptr in memory that looks like any
   other, so a scan hit there is only possibly live. */
#ifndef TA_ALLOCATOR_H
#define TA_ALLOCATOR_H

#include <stdbool.h>

struct process;

struct allocator {
	bool identified;	/* allocator_identify ran for this image */
	bool heap_walkable;	/* glibc's malloc, with a chunk layout heap.c knows */
	char *object;		/* the object that defines malloc, NULL: none found */
	char *reason;		/* when !heap_walkable: why heap hits are only possible */
};

/* The allocator of p: the first object in link_map order (the program,
   LD_PRELOAD objects, then the libraries in load order) that defines
   malloc in its .dynsym, as the dynamic linker binds it in the global
   scope.  Computed once per process image, at its first use. */
const struct allocator *allocator_of(struct process *p);

/* "jemalloc" for /usr/lib/x86_64-linux-gnu/libjemalloc.so.2, "glibc" for
   libc.so.6, else the file's base name. */
const char *allocator_name(const char *path);

#endif
