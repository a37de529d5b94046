/* The dangling-reference scan: every aligned word of a process's writable
   memory that points into a given range. */
#ifndef TA_SCAN_H
#define TA_SCAN_H

#include "maps.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct scan_hit {
	uint64_t where;		/* address of the word */
	uint64_t value;		/* what it holds: an address in the range */
};

struct scan_result {
	struct scan_hit *hits;
	size_t n;
	size_t dropped;		/* hits beyond the cap */
	uint64_t bytes;		/* bytes read */
	uint64_t skipped;	/* bytes of pages never written, not read */
	double seconds;
};

/* Scan the writable private mappings in maps for words in [lo, hi),
   leaving out [skip_lo, skip_hi) (the library's own data), in the
   mapping that holds live_sp everything below live_sp (dead stack), and
   pages never written (zeros).
   Memory is read through tid, a stopped thread (a process whose main
   thread has exited cannot be read through its pid).  pagemap: the
   process's /proc/PID/pagemap, open (procfd.h), or -1: every page is
   read. */
void scan_process(pid_t tid, int pagemap, const struct maps_snapshot *maps, uint64_t lo,
		  uint64_t hi, uint64_t skip_lo, uint64_t skip_hi, uint64_t live_sp,
		  struct scan_result *out);
/* The same for words in any of n ranges, sorted and apart, none of them
   left out (libraries already unmapped): the memory is read once for
   them all. */
struct scan_target {
	uint64_t lo, hi;
};
void scan_process_ranges(pid_t tid, int pagemap, const struct maps_snapshot *maps,
			 const struct scan_target *t, size_t n, uint64_t live_sp,
			 struct scan_result *out);
void scan_result_free(struct scan_result *r);

#endif
