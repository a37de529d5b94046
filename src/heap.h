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

/* Where the heap's bytes come from: read up to len bytes at addr into buf,
   returning how many could be read (a tracee's memory, or a test's buffer). */
struct heap_reader {
	size_t (*read)(void *arg, uint64_t addr, void *buf, size_t len);
	void *arg;
};

/* Classify n addresses (sorted ascending) inside the heap [start, end) in
   one walk over its chunk headers.  Nothing read is trusted: the walk only
   goes forward, stays inside [start, end) and is capped.  Returns false when
   it stopped early (the rest stays CHUNK_UNKNOWN). */
bool heap_walk(const struct heap_reader *r, uint64_t start, uint64_t end,
	       const uint64_t *addrs, size_t n, struct chunk_info *out);

/* glibc keeps each arena but the main one in heaps: 64 MiB reservations,
   aligned to their size, that start with a heap_info { ar_ptr, prev, size,
   mprotect_size, ... }, size being the part in use.  An arena's first heap
   has its malloc_state next, then as first chunk the tcache of the thread
   that made it.  Whether the anonymous mapping [start, end) of tid starts
   such a heap; if it is a first heap, where its chunks start (*first) and
   end (*chunks_end), else *first is 0: a later heap, whose chunks cannot
   be told apart. */
bool heap_other_arena(pid_t tid, uint64_t start, uint64_t end, uint64_t *first,
		      uint64_t *chunks_end);

/* heap_walk over the memory of the stopped thread tid. */
void heap_classify(pid_t tid, uint64_t start, uint64_t end, const uint64_t *addrs, size_t n,
		   struct chunk_info *out);

#endif
