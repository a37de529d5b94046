/* Open ELF files, one per (device, inode), shared by every process.  A file
   is opened while it is mapped (through /proc/PID/map_files, which reaches
   the mapped file even when it was deleted or replaced on disk) and kept
   open, so that code unloaded long ago can still be symbolized. */
#ifndef TA_OBJCACHE_H
#define TA_OBJCACHE_H

#include "maps.h"

#include <sys/types.h>

struct elf_file;

/* The ELF file behind a file mapping of pid, opening it if needed while it
   is still mapped.  NULL if it is not a readable ELF file (remembered). */
struct elf_file *objcache_get(pid_t pid, const struct map_entry *m);
/* The same, and read what a diagnosis needs of it (symbols, relocations,
   build-id: elfsym_keep) when first opened: for libraries that may be
   unloaded, and then rewritten on disk.  Never the whole file: the tool's
   memory must not grow with the libraries' sizes. */
struct elf_file *objcache_get_copy(pid_t pid, const struct map_entry *m);
/* Only what is already open: for mappings that are gone. */
struct elf_file *objcache_lookup(const struct map_entry *m);
void objcache_free_all(void);

#endif
