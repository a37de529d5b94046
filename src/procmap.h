/* The writable mappings of a process, asked of the kernel one at a time
   with the PROCMAP_QUERY ioctl on /proc/PID/maps (Linux 6.11+), so that
   the read-only and inaccessible ones a big process has thousands of cost
   nothing; on older kernels, from the whole maps text. */
#ifndef TA_PROCMAP_H
#define TA_PROCMAP_H

#include "maps.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The writable mappings of pid's thread tid, in address order, each
   anonymous one with the inaccessible mapping right below it when there
   is one (glibc's guard page under a thread stack).  Returns 0, or -1
   with errno set; out is valid (and to be freed) either way. */
int procmap_read_writable(pid_t pid, pid_t tid, struct maps_snapshot *out);

/* The mappings that overlap [start, end) now, asked with PROCMAP_QUERY.
   -1 (errno ENOTTY) where the kernel does not have it. */
int procmap_read_range(pid_t pid, pid_t tid, uint64_t start, uint64_t end,
		       struct maps_snapshot *out);

/* Whether this kernel answers PROCMAP_QUERY (asked once, of our own
   maps). */
bool procmap_query_available(void);

/* Whether the last read used PROCMAP_QUERY (for --debug and tests). */
bool procmap_query_used(void);

#endif
