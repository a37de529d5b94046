/* Latent use-after-dlclose: live references into a library that was just
   unloaded, or that its last dlclose left pinned, found before any crash. */
#ifndef TA_LATENT_H
#define TA_LATENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct process;
struct elf_file;

/* A library's writable data as it was just before the dynamic linker
   unmapped it (at RT_DELETE): what its objects' first words were. */
struct latent_data {
	uint64_t start;		/* runtime address of bytes[0] */
	size_t len;
	unsigned char *bytes;
};
/* Larger data segments are not copied. */
#define LATENT_DATA_MAX (4u << 20)

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
	const struct latent_data *data;	/* its data before the unmap, or NULL */
};

/* Look for what still refers to the n libraries t, in p stopped in
   thread tid (whose stack pointer is sp): live references in its memory,
   threads whose stacks are in their code, signal handlers in them (asked
   of the kernel by a call run in tid: only when may_inject, a breakpoint
   stop; at a system call's stop it would take that call's place).
   Makes one finding per library and kind of evidence; returns how many
   definite references, threads and handlers they hold. */
unsigned int latent_check(struct process *p, pid_t tid, uint64_t sp,
			  const struct latent_target *t, size_t n, bool may_inject);
/* Copy the writable data of the object loaded at l_addr from elf, read
   through thread tid (nothing if it is larger than LATENT_DATA_MAX). */
void latent_data_save(pid_t tid, struct elf_file *elf, uint64_t l_addr,
		      struct latent_data *d);
void latent_data_free(struct latent_data *d);

#endif
