#include "config.h"
#include "writable.h"
#include "error.h"
#include "procmap.h"
#include "stats.h"
#include "tracee.h"
#include "unmapwatch.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The kernel's count of p's private writable memory, in bytes: data_vm
   plus stack_vm, the 6th field of statm (in pages). */
static bool
statm_data(struct process *p, pid_t tid, uint64_t *bytes)
{
	char buf[256];
	if (procfd_read_statm(&p->procfds, p->pid, tid, buf, sizeof(buf)) <= 0)
		return false;
	uint64_t f[6];
	if (sscanf(buf, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64,
		   &f[0], &f[1], &f[2], &f[3], &f[4], &f[5]) != 6)
		return false;
	*bytes = f[5] * (uint64_t)sysconf(_SC_PAGESIZE);
	return true;
}

static uint64_t
snapshot_data(const struct maps_snapshot *s)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < s->n; i++)
		if (map_entry_private_writable(&s->v[i]))
			sum += s->v[i].end - s->v[i].start;
	return sum;
}

const struct maps_snapshot *
writable_mappings(struct process *p, pid_t tid, struct maps_snapshot *scratch)
{
	memset(scratch, 0, sizeof(*scratch));
	/* Without the watch an munmap leaves the snapshot wrong, and an
	   mmap of the same size would hide it. */
	bool trusted = unmapwatch_active(p) && procmap_query_available();
	uint64_t kernel;
	if (trusted && statm_data(p, tid, &kernel) && kernel == snapshot_data(&p->maps)) {
		stats.writable_from_snapshot++;
		return &p->maps;
	}
	stats.writable_reads++;
	if (procmap_read_writable(p->pid, tid, scratch) < 0) {
		debug_msg("pid %d: reading the writable mappings through thread %d: %s; "
			  "scanning those the tool saw last", p->pid, tid, strerror(errno));
		return &p->maps;
	}
	if (!trusted || !procmap_query_used())
		return scratch;
	maps_snapshot_merge_writable(&p->maps, scratch);
	return &p->maps;
}
