/* Debug information of a file, read only when a report needs it: source
   lines and inlined calls (libdw), from the file itself or from its
   separate debug file (found by build-id or .gnu_debuglink, the way gdb
   and elfutils look), and the symbols a stripped file lacks. */
#ifndef TA_DEBUGINFO_H
#define TA_DEBUGINFO_H

#include "timeline.h"

#include <stdbool.h>
#include <stdint.h>

struct elf_file;
struct elf_symbol;
struct stack;

struct src_location {
	char *file;		/* where the (outermost) function is at the address */
	unsigned int line;
	struct src_inline *inlined;
	size_t ninlined;
};

/* Where separate debug files live: colon-separated directories, searched
   in order ("/usr/lib/debug" unless set). */
void debuginfo_set_dirs(const char *dirs);

/* The source location of link-time address vaddr in f.  False when f has
   no line information there (no error: symbol+offset is all there is). */
bool debuginfo_lookup(struct elf_file *f, uint64_t vaddr, struct src_location *out);
void src_location_free(struct src_location *l);

/* A symbol for vaddr from f's separate debug file, for a stripped f. */
bool debuginfo_symbol(struct elf_file *f, uint64_t vaddr, struct elf_symbol *out);

/* Give the frames of s their source lines (and names a stripped file
   lacks), once: a cache of facts that do not change, so s is const. */
void debuginfo_fill_stack(const struct stack *s);

/* The offset of member in struct type, from the DWARF of f or of its
   separate debug file (for glibc's private structures: ld.so's struct
   link_map).  False when there is no DWARF or no such member. */
bool debuginfo_member_offset(struct elf_file *f, const char *type, const char *member,
			     uint64_t *off);

void debuginfo_free_all(void);

#endif
