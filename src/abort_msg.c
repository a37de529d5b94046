#include "config.h"
#include "abort_msg.h"
#include "elfsym.h"
#include "mem.h"
#include "objcache.h"
#include "tracee.h"

#include <stdint.h>
#include <string.h>

/* glibc's first mapping of libc.so.6 (file offset 0), and its load bias. */
static struct elf_file *
find_libc(struct process *p, uint64_t *bias)
{
	for (size_t i = 0; i < p->maps.n; i++) {
		const struct map_entry *m = &p->maps.v[i];
		const char *base = m->path ? strrchr(m->path, '/') : NULL;
		if (!base || strncmp(base + 1, "libc.so.", 8) != 0 || m->offset != 0)
			continue;
		struct elf_file *elf = objcache_get(p->pid, m);
		uint64_t vaddr;
		if (!elf || !elfsym_offset_to_vaddr(elf, 0, &vaddr))
			return NULL;
		*bias = m->start - vaddr;
		return elf;
	}
	return NULL;
}

bool
abort_msg_read(struct process *p, pid_t tid, char *buf, size_t size)
{
	uint64_t bias, msg;
	struct elf_symbol sym;
	struct elf_file *libc = find_libc(p, &bias);
	/* struct abort_msg_s { unsigned int size; char msg[]; }, allocated
	   with mmap; the pointer is NULL until a message was set. */
	if (!libc || size < 2 || !elfsym_find(libc, "__abort_msg", &sym) ||
	    !mem_read_u64(tid, bias + sym.value, &msg) || msg == 0)
		return false;
	/* A long message is cut, not lost. */
	size_t got = mem_read_partial(tid, msg + 4, buf, size - 1);
	buf[got] = '\0';
	size_t n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return n > 0;
}
