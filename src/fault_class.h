/* Plain words for a fault that no unloaded library explains: a NULL
   access, a stack overflow, a write to read-only memory, an abort, a
   signal sent by a process...  Each gets a category (for machines and the
   signature) and a verdict, like the summary lines of a sanitizer. */
#ifndef TA_FAULT_CLASS_H
#define TA_FAULT_CLASS_H

#include "insn.h"
#include "maps.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* What is known about an ordinary fault. */
struct fault_evidence {
	int sig, si_code;
	uint64_t addr, pc;
	bool sent;			/* si_code <= 0: kill, tgkill, raise, sigqueue */
	bool sent_by_self;		/* by the faulting process itself */
	const char *sender;		/* "pid 42 (bash)", or NULL */
	const struct insn *insn;	/* the instruction at pc, NULL if unknown */
	const struct map_entry *addr_map;	/* live mapping holding addr, NULL */
	const char *addr_section;	/* ".rodata", for a file mapping */
	bool stack_guard;		/* addr in or just below a thread's stack */
	bool unmapped_file;		/* addr was in a file (not a library) that was unmapped */
	const char *unmapped_file_path;
	const char *unmap_call;		/* ... removed by this call, seen as it happened */
	bool unmap_contents_unknown;	/* mapped after the tool's last look */
	const char *unmap_perms;
	double unmap_before;		/* seconds before the fault */
	bool past_eof;			/* SIGBUS: addr beyond the end of its file */
	uint64_t file_size;
	const char *abort_message;	/* glibc's __abort_msg */
	bool history_known;		/* the library history could be followed */
};

/* Lowest address Linux maps by default (vm.mmap_min_addr): below it, an
   access is through a NULL (or nearly NULL) pointer. */
#define FAULT_NULL_LIMIT 0x10000

/* Fill *category and *verdict (allocated) for an ordinary fault. */
void fault_class_of(const struct fault_evidence *ev, char **category, char **verdict);

#endif
