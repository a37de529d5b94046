/* The writable memory of a process, for the dangling-reference scan at
   each unload.  Asking the kernel costs a walk over every mapping (the
   PROCMAP_QUERY ioctl steps through the read-only ones too: 1-2 ms at
   20,000 mappings), so the snapshot is used when it can be trusted: with
   the unmap watch on, the snapshot knows every library event and every
   munmap, and what it cannot know (an mmap, an mprotect, brk, a stack
   growing) changes the kernel's count of private writable memory
   (/proc/PID/statm's data).  When the snapshot's sum agrees with that
   count, it is complete; else the kernel is asked, and its answer merged
   into the snapshot.  Two unseen changes of exactly opposite sizes would
   pass for none: an unseen mapping is then missed by the scan (a latent
   finding lost, never one made up). */
#ifndef TA_WRITABLE_H
#define TA_WRITABLE_H

#include "maps.h"

#include <stdbool.h>
#include <sys/types.h>

struct process;

/* The mappings to scan: p->maps when it holds every writable mapping of
   p now (checked, or made so), else scratch filled with the writable
   mappings read through thread tid (on kernels without PROCMAP_QUERY,
   which are not merged), else p->maps as it is (the read failed: said in
   --debug).  scratch is to be freed by the caller in every case. */
const struct maps_snapshot *writable_mappings(struct process *p, pid_t tid,
					      struct maps_snapshot *scratch);

#endif
