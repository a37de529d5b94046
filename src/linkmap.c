#include "config.h"
#include "linkmap.h"
#include "debuginfo.h"
#include "elfsym.h"
#include "error.h"
#include "glibc.h"
#include "mem.h"
#include "solib.h"
#include "tracee.h"

#include <stdio.h>
#include <string.h>

/* Measured with gdb's "ptype/o struct link_map" on ld.so with its debug
   file: glibc 2.36-9+deb12u14 (Debian 12), x86_64.  Only releases someone
   measured belong here: another one is "unknown", never a guess. */
static const struct {
	const char *version;
	const char *member;
	uint64_t offset;
} table[] = {
	{ "2.36", "l_tls_dtor_count", 1160 },
};

bool
linkmap_table_offset(const char *version, const char *member, uint64_t *off)
{
	for (size_t i = 0; version && i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].version, version) == 0 && strcmp(table[i].member, member) == 0) {
			*off = table[i].offset;
			return true;
		}
	return false;
}

/* The dynamic linker's own object: its link_map's l_addr is AT_BASE. */
static const struct solib *
ld_so(const struct process *p)
{
	for (size_t i = 0; i < p->solib.n; i++)
		if (p->solib.libs[i].path[0] && p->solib.libs[i].l_addr == p->solib.ld_base &&
		    p->solib.libs[i].elf)
			return &p->solib.libs[i];
	return NULL;
}

/* "2.36", from the banner of the process's libc file; "" if unknown.
   Read only here, when ld.so has no debug information: it costs a scan
   of the file. */
static void
libc_version(const struct process *p, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; i < p->solib.n; i++) {
		const struct solib *l = &p->solib.libs[i];
		const char *base = strrchr(l->path, '/');
		base = base ? base + 1 : l->path;
		unsigned int major, minor;
		if (strncmp(base, "libc.so.", 8) == 0 && l->elf &&
		    glibc_version_of_file(elfsym_fd(l->elf), &major, &minor)) {
			snprintf(buf, size, "%u.%u", major, minor);
			return;
		}
	}
}

static bool
member_offset(const struct process *p, const char *member, uint64_t *off)
{
	/* One ld.so per machine, as a rule: its answer is kept. */
	static const struct elf_file *cached_elf;
	static char cached_member[32];
	static uint64_t cached_off;
	static bool cached_found;
	const struct solib *ld = ld_so(p);
	if (ld && ld->elf == cached_elf && strcmp(member, cached_member) == 0) {
		*off = cached_off;
		if (cached_found)
			return true;
	} else if (ld) {
		cached_elf = ld->elf;
		snprintf(cached_member, sizeof(cached_member), "%s", member);
		cached_found = debuginfo_member_offset(ld->elf, "link_map", member, &cached_off);
		*off = cached_off;
		if (cached_found)
			return true;
	}
	char version[32];
	libc_version(p, version, sizeof(version));
	if (linkmap_table_offset(version, member, off))
		return true;
	debug_msg("pid %d: the offset of %s in glibc %s's struct link_map is unknown (no "
		  "debug information for ld.so, a release not measured)", p->pid, member,
		  version[0] ? version : "(version unknown)");
	return false;
}

bool
linkmap_tls_dtor_count(struct process *p, pid_t tid, uint64_t lm, uint64_t *count)
{
	uint64_t off;
	/* A size_t: a count past 2^32 is no count. */
	return member_offset(p, "l_tls_dtor_count", &off) && mem_read_u64(tid, lm + off, count) &&
	       *count < (1ULL << 32);
}
