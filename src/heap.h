/* glibc malloc's main heap seen from outside: which chunk a word is in,
   and whether that chunk is allocated.  A scan hit in freed memory is a
   stale leftover (glibc's own freed link_map, for one), not a live
   reference. */
#ifndef TA_HEAP_H
#define TA_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum chunk_state {
	CHUNK_UNKNOWN,		/* not in the main heap, or its chunks could not be walked */
	CHUNK_ALLOCATED,
	CHUNK_FREE,		/* in a free bin, or in the main thread's tcache */
};

struct chunk_info {
	enum chunk_state state;
	uint64_t user;		/* start of the chunk's user data */
	uint64_t size;		/* usable size */
};

/* Classify n addresses (sorted ascending) inside the heap [start, end) of
   pid, in one walk over its chunk headers. */
void heap_classify(pid_t pid, uint64_t start, uint64_t end, const uint64_t *addrs, size_t n,
		   struct chunk_info *out);

#endif
