/* Counters of the tool's own work, printed with --stats: what the
   benchmark reads to count stops per library event. */
#ifndef TA_STATS_H
#define TA_STATS_H

#include <stdio.h>

struct stats {
	unsigned long stops;		/* every wait() that reported a stopped tracee */
	unsigned long polled_stops;	/* wait() results found by polling (stopwait.c) */
	unsigned long breakpoint_hits;
	unsigned long single_steps;
	unsigned long emulated;		/* breakpoint instructions emulated */
	unsigned long maps_reads;	/* /proc/PID/maps read */
	unsigned long unwinds;		/* stack walks */
	unsigned long library_events;	/* loads + unloads */
	unsigned long dlopen_calls, dlclose_calls;
	unsigned long unmap_stops;	/* munmap, mremap, mmap(MAP_FIXED) stops */
	unsigned long sigaction_stops;	/* rt_sigaction stops (a new action) */
	unsigned long handler_reads;	/* signal handler tables read from the kernel */
	unsigned long handler_kept;	/* ... or known from the last read */
	unsigned long scans;		/* dangling-reference scans */
	unsigned long scan_calls;	/* their process_vm_readv calls */
	unsigned long scans_shared;	/* scans read by two threads */
	unsigned long writable_reads;	/* writable mappings asked of the kernel */
	unsigned long writable_from_snapshot;	/* ... or found in the snapshot */
	unsigned long long scan_bytes;
	unsigned long long scan_skipped;	/* pages never written, not read */
	double scan_seconds;
};

extern struct stats stats;

void stats_print(FILE *out);

#endif
