/* Fields of glibc's struct link_map past the ABI (l_addr, l_name, l_ld,
   l_next, l_prev), which change between releases: their offsets come from
   the DWARF of the process's ld.so (its separate debug file: libc6-dbg on
   Debian), else from a table of releases measured, else they are unknown
   and nothing is read. */
#ifndef TA_LINKMAP_H
#define TA_LINKMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct process;

/* l_tls_dtor_count of the link_map at lm: how many thread_local
   destructors registered by the object (__cxa_thread_atexit_impl) have
   not run yet.  While it is not 0, glibc's dlclose leaves the object
   mapped.  False when the offset is unknown or the read fails. */
bool linkmap_tls_dtor_count(struct process *p, pid_t tid, uint64_t lm, uint64_t *count);

/* The offset for glibc release version (e.g. "2.36") on x86_64 from the
   table, for when no DWARF says: false when the release is not in it. */
bool linkmap_table_offset(const char *version, const char *member, uint64_t *off);

#endif
