/* The libunwind-ptrace backend.
   Three things make it fast enough to walk a stack at every dlclose: one
   address space per process with libunwind's cache on (a dlclose called
   from the same place again costs no unwind-table search), flushed when a
   library goes; memory read through process_vm_readv a page at a time
   instead of libunwind's one PTRACE_PEEKDATA per word; and a pc's unwind
   table found through our own snapshot and files, not libunwind's read of
   the whole maps. */
#include "config.h"
#include "unwind.h"
#include "elfsym.h"
#include "error.h"
#include "mem.h"
#include "objcache.h"
#include "stats.h"
#include "tracee.h"

#include <libunwind-ptrace.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <sys/uio.h>

#define PAGE 4096
#define PAGE_CACHE 8
/* Processes whose address spaces we keep; more are recycled. */
#define MAX_SPACES 64

struct page {
	uint64_t addr;		/* page address, 0: empty */
	unsigned char data[PAGE];
};

/* One walk's state. */
struct walk_ctx {
	void *upt;		/* libunwind-ptrace's own: the accessors' argument */
	pid_t tid;
	bool have_regs;		/* start from regs, not from the thread's */
	struct user_regs_struct regs;
	struct page pages[PAGE_CACHE];
	unsigned int next;	/* round-robin victim */
};

static int
read_word(struct walk_ctx *c, unw_word_t addr, unw_word_t *val)
{
	uint64_t page = addr & ~(uint64_t)(PAGE - 1);
	size_t off = addr - page;
	/* A word across a page end: let ptrace read it. */
	if (off + sizeof(*val) > PAGE)
		return -1;
	for (unsigned int i = 0; i < PAGE_CACHE; i++)
		if (c->pages[i].addr == page) {
			memcpy(val, c->pages[i].data + off, sizeof(*val));
			return 0;
		}
	struct page *p = &c->pages[c->next];
	struct iovec local = { p->data, PAGE };
	struct iovec remote = { (void *)page, PAGE };
	if (process_vm_readv(c->tid, &local, 1, &remote, 1, 0) != PAGE)
		return -1;
	c->next = (c->next + 1) % PAGE_CACHE;
	p->addr = page;
	memcpy(val, p->data + off, sizeof(*val));
	return 0;
}

/* One walk at a time: libunwind hands the _UPT argument down to nested
   calls, so our page cache cannot ride along in it. */
static struct walk_ctx *current_walk;

static int
acc_access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val, int write, void *arg)
{
	struct walk_ctx *c = current_walk;
	if (!write && c && c->upt == arg && read_word(c, addr, val) == 0)
		return 0;
	return _UPT_access_mem(as, addr, val, write, arg);
}

/* libunwind's x86_64 register numbers, as fields of user_regs_struct. */
static bool
reg_value(const struct user_regs_struct *r, unw_regnum_t reg, unw_word_t *val)
{
	switch (reg) {
	case UNW_X86_64_RAX: *val = r->rax; return true;
	case UNW_X86_64_RDX: *val = r->rdx; return true;
	case UNW_X86_64_RCX: *val = r->rcx; return true;
	case UNW_X86_64_RBX: *val = r->rbx; return true;
	case UNW_X86_64_RSI: *val = r->rsi; return true;
	case UNW_X86_64_RDI: *val = r->rdi; return true;
	case UNW_X86_64_RBP: *val = r->rbp; return true;
	case UNW_X86_64_RSP: *val = r->rsp; return true;
	case UNW_X86_64_R8: *val = r->r8; return true;
	case UNW_X86_64_R9: *val = r->r9; return true;
	case UNW_X86_64_R10: *val = r->r10; return true;
	case UNW_X86_64_R11: *val = r->r11; return true;
	case UNW_X86_64_R12: *val = r->r12; return true;
	case UNW_X86_64_R13: *val = r->r13; return true;
	case UNW_X86_64_R14: *val = r->r14; return true;
	case UNW_X86_64_R15: *val = r->r15; return true;
	case UNW_X86_64_RIP: *val = r->rip; return true;
	default: return false;
	}
}

/* Registers we already have (or want to start from) are not read again
   one PTRACE_PEEKUSER at a time. */
static int
acc_access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *val, int write, void *arg)
{
	struct walk_ctx *c = current_walk;
	if (!write && c && c->upt == arg && c->have_regs && reg_value(&c->regs, reg, val))
		return 0;
	return _UPT_access_reg(as, reg, val, write, arg);
}

/* Exported by libunwind, not declared in its headers (perf declares it
   the same way): a lookup in an .eh_frame_hdr table in the target. */
extern int UNW_OBJ(dwarf_search_unwind_table)(unw_addr_space_t as, unw_word_t ip,
					      unw_dyn_info_t *di, unw_proc_info_t *pi,
					      int need_unwind_info, void *arg);

/* The unwind info for ip from the .eh_frame_hdr table as the process has
   it mapped, found through our own maps and ELF files. */
static int
find_in_mapped_table(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi,
		     int need_unwind_info, void *arg)
{
	struct walk_ctx *c = current_walk;
	struct tracee *t = c ? tracee_find(c->tid) : NULL;
	const struct map_entry *m = t ? maps_snapshot_find(&t->proc->maps, ip) : NULL;
	struct elf_file *elf = m ? objcache_lookup(m) : NULL;
	uint64_t hdr_vaddr, hdr_size, vaddr;
	if (!elf || !elfsym_eh_frame_hdr(elf, &hdr_vaddr, &hdr_size) || hdr_size < 12 ||
	    !elfsym_offset_to_vaddr(elf, m->offset, &vaddr))
		return -UNW_ENOINFO;
	uint64_t hdr = m->start - vaddr + hdr_vaddr;
	/* version 1, eh_frame_ptr pcrel|sdata4, fde_count udata4, table
	   datarel|sdata4: what binutils and lld write. */
	uint8_t h[12];
	if (!mem_read(c->tid, hdr, h, sizeof(h)) || h[0] != 1 || h[2] != 0x03 || h[3] != 0x3b)
		return -UNW_ENOINFO;
	uint32_t fde_count;
	memcpy(&fde_count, h + 8, sizeof(fde_count));
	if ((uint64_t)fde_count * 8 > hdr_size - 12)
		return -UNW_ENOINFO;
	unw_dyn_info_t di;
	memset(&di, 0, sizeof(di));
	di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
	di.start_ip = m->start;
	di.end_ip = m->end;
	di.u.rti.segbase = hdr;
	di.u.rti.table_data = hdr + 12;
	/* Entries of two 4-byte words, counted in unw_word_t. */
	di.u.rti.table_len = (uint64_t)fde_count * 8 / sizeof(unw_word_t);
	return UNW_OBJ(dwarf_search_unwind_table)(as, ip, &di, pi, need_unwind_info, arg);
}

/* The table in the process's memory first: libunwind's own search reads
   the whole /proc/PID/maps and maps the file at every pc its cache does not
   know (hundreds of microseconds in a process with a thousand mappings),
   and in a chroot finds nothing (it opens /proc/PID/root followed by the
   path in the maps, which names files as seen from our root).  Then
   libunwind's, for code our snapshot or files do not cover. */
static int
acc_find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi,
		   int need_unwind_info, void *arg)
{
	if (find_in_mapped_table(as, ip, pi, need_unwind_info, arg) == 0)
		return 0;
	return _UPT_find_proc_info(as, ip, pi, need_unwind_info, arg);
}

static unw_accessors_t accessors;

struct space {
	pid_t pid;
	unw_addr_space_t as;
};

static struct space spaces[MAX_SPACES];
static unsigned int next_victim;

static unw_addr_space_t
space_for(pid_t pid)
{
	for (unsigned int i = 0; i < MAX_SPACES; i++)
		if (spaces[i].as && spaces[i].pid == pid)
			return spaces[i].as;
	if (!accessors.access_mem) {
		accessors = _UPT_accessors;
		accessors.access_mem = acc_access_mem;
		accessors.access_reg = acc_access_reg;
		accessors.find_proc_info = acc_find_proc_info;
	}
	unw_addr_space_t as = unw_create_addr_space(&accessors, 0);
	if (!as)
		return NULL;
	/* The cache is keyed by pc: one address space per process keeps it
	   right; flushed when the process's code changes. */
	unw_set_caching_policy(as, UNW_CACHE_GLOBAL);
	struct space *s = NULL;
	for (unsigned int i = 0; i < MAX_SPACES && !s; i++)
		if (!spaces[i].as)
			s = &spaces[i];
	if (!s) {
		s = &spaces[next_victim];
		next_victim = (next_victim + 1) % MAX_SPACES;
		unw_destroy_addr_space(s->as);
	}
	s->pid = pid;
	s->as = as;
	return as;
}

static size_t
libunwind_walk(pid_t pid, pid_t tid, const struct user_regs_struct *regs, uint64_t *pcs,
	       size_t max)
{
	unw_addr_space_t as = space_for(pid);
	if (!as) {
		error_msg("libunwind: cannot create an address space; stacks will be missing");
		return 0;
	}
	/* One walk at a time: a static context, only its page tags reset. */
	static struct walk_ctx ctx;
	struct walk_ctx *c = &ctx;
	for (unsigned int i = 0; i < PAGE_CACHE; i++)
		c->pages[i].addr = 0;
	c->next = 0;
	c->tid = tid;
	c->have_regs = regs != NULL;
	if (regs)
		c->regs = *regs;
	c->upt = _UPT_create(tid);
	if (!c->upt)
		return 0;
	unw_cursor_t cursor;
	size_t n = 0;
	current_walk = c;
	int ret = unw_init_remote(&cursor, as, c->upt);
	if (ret < 0) {
		debug_msg("thread %d: unw_init_remote: %s", tid, unw_strerror(ret));
		goto out;
	}
	while (n < max) {
		unw_word_t ip;
		if (unw_get_reg(&cursor, UNW_REG_IP, &ip) < 0 || ip == 0)
			break;
		pcs[n++] = ip;
		/* -UNW_ENOINFO and friends end a walk normally. */
		if (unw_step(&cursor) <= 0)
			break;
	}
out:
	current_walk = NULL;
	_UPT_destroy(c->upt);
	c->upt = NULL;
	return n;
}

static void
libunwind_flush(pid_t pid)
{
	for (unsigned int i = 0; i < MAX_SPACES; i++)
		if (spaces[i].as && spaces[i].pid == pid)
			unw_flush_cache(spaces[i].as, 0, 0);
}

static void
libunwind_forget(pid_t pid)
{
	for (unsigned int i = 0; i < MAX_SPACES; i++)
		if (spaces[i].as && spaces[i].pid == pid) {
			unw_destroy_addr_space(spaces[i].as);
			spaces[i].as = NULL;
		}
}

const struct unwind_backend unwind_libunwind = {
	.name = "libunwind-ptrace",
	.walk = libunwind_walk,
	.flush = libunwind_flush,
	.forget = libunwind_forget,
};

static const struct unwind_backend *backend = &unwind_libunwind;

size_t
unwind_thread_walk(pid_t pid, pid_t tid, const struct user_regs_struct *regs, uint64_t *pcs,
		   size_t max)
{
	if (max > UNWIND_MAX_FRAMES)
		max = UNWIND_MAX_FRAMES;
	stats.unwinds++;
	return backend->walk(pid, tid, regs, pcs, max);
}

void
unwind_flush(pid_t pid)
{
	backend->flush(pid);
}

void
unwind_forget(pid_t pid)
{
	backend->forget(pid);
}
