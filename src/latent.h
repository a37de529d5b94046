/* Latent use-after-dlclose: live references into a library that was just
   unloaded, or that its last dlclose left pinned, found before any crash. */
#ifndef TA_LATENT_H
#define TA_LATENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct process;
struct elf_file;

struct latent_target {
	const char *path;
	struct elf_file *elf;	/* NULL: references are counted, not named */
	uint64_t l_addr;	/* load bias: runtime = link-time + l_addr */
	uint64_t start, end;	/* its span */
	uint64_t ino;		/* inode of its file */
	bool pinned;		/* still mapped (its last dlclose did not unmap it) */
	const char *pin_note;	/* why, for a pinned library */
	unsigned int event;	/* the unload or kept event */
	unsigned int dlclose_event; /* the dlclose behind it, 0 if unknown */
};

/* Scan p (stopped in thread tid, whose stack pointer is sp) for references
   into t and report the live ones.  Returns how many were reported. */
unsigned int latent_check(struct process *p, pid_t tid, uint64_t sp,
			  const struct latent_target *t);

#endif
