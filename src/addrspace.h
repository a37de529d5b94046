/* A process's address space over time: the current mappings, the history of
   those that went away, and where any address was. */
#ifndef TA_ADDRSPACE_H
#define TA_ADDRSPACE_H

#include "maps.h"

#include <stdbool.h>
#include <stdint.h>

struct process;
struct elf_file;

/* Re-read /proc/PID/maps.  Mappings that disappeared go to the history,
   attributed to event_for(range) when that gives an event id (a library
   unload), else to a new "unmap" timeline event for a file mapping.  New
   file mappings get their ELF file opened while it is still mapped.
   Everything is read through tid, a stopped thread of p.  Returns false,
   with a message, if the maps could not be read or read empty; the
   snapshot and the history are then left as they were. */
bool addrspace_refresh(struct process *p, pid_t tid,
		       unsigned int (*event_for)(uint64_t start, uint64_t end, void *arg),
		       void *arg);

/* The dynamic linker unmapped [start, end) (one munmap of a whole
   library): drop its mappings from the snapshot into the history, without
   reading the maps again. */
void addrspace_forget_range(struct process *p, uint64_t start, uint64_t end,
			    unsigned int event_id);

/* An object the dynamic linker just loaded at l_addr: its mappings, from
   its program headers in memory (PT_LOAD, and the anonymous rest of its
   bss), go into the snapshot without reading the maps, and its file is
   opened through /proc/TID/map_files.  False, with nothing changed, when
   they cannot be read: then read the maps. */
bool addrspace_map_object(struct process *p, pid_t tid, uint64_t l_addr);

/* The depth of the stack kept for each unmap the watch sees. */
#define UNMAP_STACK_DEPTH 16

/* Thread tid is about to remove [start, end) with call ("munmap"): what
   the snapshot has there goes to the history, timed now and with the
   caller's stack; parts the snapshot does not know (mapped since the last
   look) go there as "contents unknown". */
void addrspace_note_unmap(struct process *p, pid_t tid, uint64_t start, uint64_t end,
			  const char *call, const uint64_t *pcs, size_t npcs);

/* Record an mprotect we know happened without reading the maps again:
   [start, end) now has protection prot ("r--"), mappings split as the
   kernel splits them. */
void addrspace_protect(struct process *p, uint64_t start, uint64_t end, const char *prot);

/* Where an address is or was. */
struct location {
	const struct map_entry *map;	/* the mapping (current or gone), or NULL */
	bool gone;			/* map comes from the history */
	double gone_at;			/* when it went away */
	unsigned int gone_event;	/* the event that saw it go (0: none) */
	struct elf_file *elf;		/* the file behind it, if known */
	uint64_t vaddr;			/* the address as a link-time address in elf */
	bool has_vaddr;
};

/* Look addr up in the current mappings (as of the last refresh), then in
   the history.  loc points into them: valid until the next refresh. */
bool addrspace_locate(struct process *p, uint64_t addr, struct location *loc);

/* "heap", "stack", "anonymous", or the mapping's path: for messages. */
const char *addrspace_region_name(const struct map_entry *m);

#endif
