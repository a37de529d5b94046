#include "config.h"
#include "diagnose.h"
#include "abort_msg.h"
#include "addrspace.h"
#include "basename.h"
#include "demangle.h"
#include "elfsym.h"
#include "fault_class.h"
#include "finding.h"
#include "gdb_handoff.h"
#include "insn.h"
#include "mem.h"
#include "objcache.h"
#include "quote.h"
#include "sighand.h"
#include "symbolize.h"
#include "tracee.h"
#include "unwind.h"
#include "xmalloc.h"

#include <elf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/user.h>
#include <unistd.h>

/* What the history says about one address. */
struct addr_fact {
	uint64_t addr;
	struct location loc;		/* where it is now, or where it was */
	const struct gone_mapping *was;	/* an unloaded library that covered it */
	const struct gone_mapping *was_unmapped;	/* not a library: a data file found
						   gone, or any unmap seen */
	char *symbol;			/* demangled symbol at addr in that file */
	uint64_t sym_offset;
	bool is_vtable;
	bool is_func_start;		/* addr is the entry of a function */
	uint64_t sym_start;		/* runtime address of the symbol */
	char *slot_function;		/* vtable slot or table word: what it held */
	long slot;			/* vtable slot index, -1: none */
	uint64_t vaddr;			/* the address as a link-time address in that file */
	bool has_vaddr;
};

static void
addr_fact_free(struct addr_fact *f)
{
	free(f->symbol);
	free(f->slot_function);
	memset(f, 0, sizeof(*f));
}

/* Only what the dynamic linker unloaded is a library: ld.so.cache, locale
   archives, fonts and other files mapped as data come and go too. */
static bool
gone_is_library(const struct process *p, const struct gone_mapping *g)
{
	const struct tl_event *e = g->event_id ? timeline_find(&p->timeline, g->event_id) : NULL;
	return e && e->kind == TL_UNLOAD;
}

/* The file-backed mapping that covered addr and is gone: the current
   location when addr is unmapped now, or the history when something else
   (a library loaded later at the same place) covers it now. */
static void
addr_fact_find(struct process *p, uint64_t addr, struct addr_fact *f)
{
	memset(f, 0, sizeof(*f));
	f->addr = addr;
	f->slot = -1;
	bool found = addrspace_locate(p, addr, &f->loc);
	const struct gone_mapping *g = maps_history_lookup(&p->history, addr);
	if (found && !f->loc.gone && g) {
		/* Accessible memory that an mmap(MAP_FIXED) seen as it
		   happened replaced with an inaccessible mapping (an allocator
		   giving pages back but keeping their addresses): what is
		   there now is not what the access was meant for. */
		if (g->unmap_call && strcmp(g->unmap_call, "mmap(MAP_FIXED)") == 0 &&
		    (g->map.perms[0] == 'r' || g->contents_unknown) &&
		    memcmp(f->loc.map->perms, "---", 3) == 0) {
			f->was_unmapped = g;
			return;
		}
		/* Only a file that was unmapped counts: freed anonymous memory
		   re-used by malloc is not evidence of anything. */
		if (f->loc.map->inode == g->map.inode)
			g = NULL;
	}
	if (g && g->unmap_call) {
		/* Seen as it happened: whatever was there (anonymous memory, a
		   file, a library's mapping the program removed itself). */
		if (!found || f->loc.gone)
			f->was_unmapped = g;
		return;
	}
	if (!g || !map_entry_is_file(&g->map))
		return;
	if (!gone_is_library(p, g)) {
		/* A data file: what is there now (if anything) came later. */
		if (!found || f->loc.gone)
			f->was_unmapped = g;
		return;
	}
	f->was = g;
	/* Symbolize in the old file, as it was when loaded. */
	struct elf_file *elf = objcache_lookup(&f->was->map);
	uint64_t vaddr;
	if (!elf || !elfsym_offset_to_vaddr(elf, addr - f->was->map.start + f->was->map.offset,
					    &vaddr))
		return;
	f->vaddr = vaddr;
	f->has_vaddr = true;
	struct elf_symbol sym;
	if (!elfsym_lookup(elf, vaddr, &sym))
		return;
	f->symbol = demangle(sym.name);
	f->sym_offset = vaddr - sym.value;
	f->sym_start = addr - f->sym_offset;
	f->is_vtable = strncmp(sym.name, "_ZTV", 4) == 0;
	f->is_func_start = sym.type == STT_FUNC && f->sym_offset == 0;
	if (sym.type == STT_FUNC)
		return;
	/* A word of a vtable or of a table of function pointers: name what
	   it held, from the file's relocations. */
	struct elf_symbol target;
	uint64_t word = vaddr & ~7ULL;
	if (elfsym_resolve_word(elf, word, &target) && target.name)
		f->slot_function = demangle(target.name);
	/* Slots count from the address point, after offset-to-top and the
	   typeinfo pointer. */
	if (f->is_vtable && f->sym_offset >= 16)
		f->slot = (long)((f->sym_offset - 16) / 8);
}

static const char *
gone_file_name(const struct addr_fact *f)
{
	return f->was ? path_basename(f->was->map.path) : "?";
}

/* ---- The instruction: what it used is the only register evidence ---- */

/* Where an indirect call or jump went with these registers. */
static bool
insn_branch_target(pid_t tid, const struct insn *in, uint64_t at,
		   const struct user_regs_struct *r, uint64_t *target)
{
	if (!in->indirect)
		return false;
	if (in->target_reg != IREG_NONE) {
		*target = insn_reg_value(r, in->target_reg);
		return true;
	}
	uint64_t slot;
	return insn_mem_address(in, at, r, &slot) && mem_read_u64(tid, slot, target);
}

static bool
decode_at(pid_t tid, uint64_t at, struct insn *in)
{
	uint8_t code[INSN_MAX_LEN];
	size_t n = mem_read_partial(tid, at, code, sizeof(code));
	return n && insn_decode(code, n, at, in);
}

/* The first INSN_SCAN_BYTES of a function are searched for the tail jump
   that got to an unmapped pc: enough for the small functions that end in
   one. */
#define INSN_SCAN_BYTES 4096

/* Code at an unmapped pc cannot be decoded: the evidence is the call or
   jump that went there.  A call pushed the return address at rsp; the call
   instruction ending there must compute the pc from the registers as they
   are now (a call changes none of them but rsp).  A tail jump left the
   caller's caller's return address there instead: then the direct call
   before it names the function that made the jump, and that function is
   searched for an indirect jump computing the pc. */
static bool
find_transfer(pid_t tid, const struct user_regs_struct *regs, struct insn *in,
	      uint64_t *at, struct user_regs_struct *at_regs)
{
	uint64_t ret, target;
	if (!mem_read_u64(tid, regs->rsp, &ret) || ret < 16)
		return false;
	/* The registers at the call: rsp before the push. */
	*at_regs = *regs;
	at_regs->rsp += 8;
	for (unsigned int len = 2; len <= 7; len++) {
		if (decode_at(tid, ret - len, in) && in->len == len && in->is_call &&
		    insn_branch_target(tid, in, ret - len, at_regs, &target) &&
		    target == regs->rip) {
			*at = ret - len;
			return true;
		}
	}
	/* call rel32: e8 + 4 bytes. */
	struct insn call;
	if (!decode_at(tid, ret - 5, &call) || call.len != 5 || !call.is_call || call.indirect)
		return false;
	int32_t rel;
	if (!mem_read(tid, ret - 4, &rel, sizeof(rel)))
		return false;
	uint64_t fn = ret + (uint64_t)(int64_t)rel;
	uint8_t code[INSN_SCAN_BYTES];
	size_t n = mem_read_partial(tid, fn, code, sizeof(code));
	*at_regs = *regs;
	for (size_t off = 0; off + 1 < n; ) {
		if (!insn_decode(code + off, n - off, fn + off, in))
			break;
		if (in->is_jump && insn_branch_target(tid, in, fn + off, regs, &target) &&
		    target == regs->rip) {
			*at = fn + off;
			return true;
		}
		if (in->is_ret || (in->is_jump && !in->indirect && off + in->len >= n))
			break;
		off += in->len;
	}
	return false;
}

/* A call or jump through a register: the load just before it that put
   the target there (mov disp(%base), %reg), verified by doing the load
   again with the registers as they are, names the registers the target
   came from.  They join the evidence. */
static void
add_target_load(pid_t tid, uint64_t at, const struct user_regs_struct *r, struct insn *in)
{
	if (in->target_reg == IREG_NONE)
		return;
	uint64_t want = insn_reg_value(r, in->target_reg);
	for (unsigned int len = 2; len <= 8; len++) {
		struct insn load;
		uint64_t from, got;
		if (!decode_at(tid, at - len, &load) || load.len != len || !load.has_mem ||
		    load.writes_mem || strncmp(load.text, "mov", 3) != 0 ||
		    load.mem.base == in->target_reg || load.mem.index == in->target_reg ||
		    !insn_mem_address(&load, at - len, r, &from) ||
		    !mem_read_u64(tid, from, &got) || got != want)
			continue;
		for (unsigned int i = 0; i < load.naddr_regs && in->naddr_regs < INSN_MAX_REGS; i++)
			in->addr_regs[in->naddr_regs++] = load.addr_regs[i];
		return;
	}
}

/* The registers the instruction used, as reported. */
static void
record_regs(const struct insn *in, const struct user_regs_struct *r, struct finding *fd)
{
	for (unsigned int i = 0; i < in->naddr_regs && i < 4; i++) {
		snprintf(fd->insn_regs[i].name, sizeof(fd->insn_regs[i].name), "%s",
			 insn_reg_name(in->addr_regs[i]));
		fd->insn_regs[i].value = insn_reg_value(r, in->addr_regs[i]);
		fd->ninsn_regs = i + 1;
	}
}

/* Whether one of the first slots from vptr on holds target. */
static bool
vtable_holds(pid_t tid, uint64_t vptr, uint64_t target)
{
	uint64_t slots[32];
	size_t n = mem_read_partial(tid, vptr, slots, sizeof(slots)) / sizeof(slots[0]);
	for (size_t i = 0; i < n; i++)
		if (slots[i] == target)
			return true;
	return false;
}

/* A register the instruction used that holds, or points at a word that
   holds, an address that an unloaded library covered and a live mapping
   of another file covers now.  label gets "rax" or "*rax". */
static bool
find_reloaded_pointer(struct process *p, pid_t tid, const struct insn *in,
		      const struct user_regs_struct *regs, uint64_t target,
		      struct addr_fact *f, char *label, size_t size)
{
	int used[INSN_MAX_REGS + 1];
	unsigned int n = 0;
	for (unsigned int i = 0; i < in->naddr_regs; i++)
		used[n++] = in->addr_regs[i];
	/* A virtual call passes its object in rdi (the SysV ABI's first
	   argument, C++'s this): the object is part of the call even when
	   the target register was loaded from its vtable several
	   instructions earlier.  Only as the object, and only when a slot
	   of its old vtable holds the very target of the call. */
	bool this_arg = in->is_call && in->indirect;
	if (this_arg)
		used[n++] = IREG_RDI;
	for (int deref = 0; deref < 2; deref++) {
		for (unsigned int i = 0; i < n; i++) {
			bool is_this = this_arg && i == n - 1;
			uint64_t v = insn_reg_value(regs, used[i]);
			if (is_this && !deref)
				continue;
			if (deref && ((v & 7) || v < FAULT_NULL_LIMIT || !mem_read_u64(tid, v, &v)))
				continue;
			if (v < FAULT_NULL_LIMIT)
				continue;
			if (is_this && !vtable_holds(tid, v, target))
				continue;
			addr_fact_find(p, v, f);
			/* Another file maps that address now, so any pointer
			   there may be fresh: only one made for the old library
			   counts, a vptr (a vtable's address point) or a function
			   pointer (a function's entry). */
			bool kept = (f->is_vtable && f->sym_offset >= 16) || f->is_func_start;
			if (f->was && f->loc.map && !f->loc.gone && kept) {
				snprintf(label, size, "%s%s", deref ? "*" : "", insn_reg_name(used[i]));
				return true;
			}
			addr_fact_free(f);
		}
	}
	return false;
}

/* The object with the stale vptr (or table pointer): a register the
   instruction used that points at it, or a register that points at a word
   equal to the very pointer the instruction used (the vptr loaded from
   the object an instruction earlier), or into the same vtable below the
   faulting address (the compiler added the slot's offset first). */
static bool
find_stale_object(pid_t tid, const struct insn *in, const struct user_regs_struct *regs,
		  const struct addr_fact *key, uint64_t *object, uint64_t *vptr,
		  const char **reg_name)
{
	const struct gone_mapping *was = key->was;
	for (int pass = 0; pass < 2; pass++) {
		for (int r = 0; r < IREG_COUNT; r++) {
			uint64_t at = insn_reg_value(regs, r), word;
			/* An indirect call's object: see find_reloaded_pointer. */
			bool used = r == IREG_RDI && in->is_call && in->indirect;
			for (unsigned int i = 0; i < in->naddr_regs; i++)
				used |= in->addr_regs[i] == r;
			if ((pass == 0 && !used) || r == IREG_RSP || at < FAULT_NULL_LIMIT ||
			    (at & 7) || !mem_read_u64(tid, at, &word) ||
			    word < was->map.start || word >= was->map.end)
				continue;
			bool matches = pass == 0 || (key->is_vtable && word >= key->sym_start &&
						     word <= key->addr);
			for (unsigned int i = 0; i < in->naddr_regs && !matches; i++)
				matches = insn_reg_value(regs, in->addr_regs[i]) == word;
			if (!matches)
				continue;
			*object = at;
			*vptr = word;
			*reg_name = insn_reg_name(r);
			return true;
		}
	}
	return false;
}

/* A return address to trust: in live code, right after a call
   instruction that ends there, or the signal trampoline a handler returns
   to (no call precedes it). */
static bool
plausible_return(struct process *p, pid_t tid, uint64_t ret)
{
	struct location loc;
	if (ret < 16 || !addrspace_locate(p, ret, &loc) || loc.gone || loc.map->perms[2] != 'x')
		return false;
	struct insn in;
	for (unsigned int len = 2; len <= 7; len++)
		if (decode_at(tid, ret - len, &in) && in.len == len && in.is_call)
			return true;
	return symbolize_is_sigreturn(tid, ret);
}

/* The caller of a frame in code that is not mapped, where the unwinder
   has no unwind information: the return address at the top of the stack
   (the call that got there, at the function's first instruction), or the
   one the frame pointer chain holds (code built with frame pointers, past
   its prologue).  Each must be a return address into live code. */
static bool
caller_of_unloaded(struct process *p, pid_t tid, const struct user_regs_struct *regs,
		   struct user_regs_struct *caller)
{
	uint64_t ret, saved_rbp;
	if (mem_read_u64(tid, regs->rsp, &ret) && plausible_return(p, tid, ret)) {
		*caller = *regs;
		caller->rip = ret;
		caller->rsp += 8;
		return true;
	}
	/* rbp must be a frame of this stack, above rsp: 1 MiB is far more
	   than any frame between a prologue and the fault. */
	if (regs->rbp < regs->rsp || regs->rbp - regs->rsp > (1u << 20) || (regs->rbp & 7) ||
	    !mem_read_u64(tid, regs->rbp + 8, &ret) || !mem_read_u64(tid, regs->rbp, &saved_rbp) ||
	    !plausible_return(p, tid, ret))
		return false;
	*caller = *regs;
	caller->rip = ret;
	caller->rsp = regs->rbp + 16;
	caller->rbp = saved_rbp;
	return true;
}

/* The unwinder cannot step out of code that is not mapped; if the pc is
   not in live code, find its caller (caller_of_unloaded) and walk on from
   there.  With no caller to trust, the stack ends there, and says so:
   never a frame made of a stack word that is no return address. */
static void
fault_stack(struct process *p, pid_t tid, struct user_regs_struct *regs, struct stack *out)
{
	struct location loc;
	bool live_code = addrspace_locate(p, regs->rip, &loc) && !loc.gone &&
			 loc.map->perms[2] == 'x';
	uint64_t pcs[UNWIND_MAX_FRAMES];
	size_t n = 0;
	bool stopped = false;
	if (live_code)
		n = unwind_thread_walk(p->pid, tid, regs, pcs, UNWIND_MAX_FRAMES);
	if (n <= 1 && !live_code) {
		struct user_regs_struct caller;
		pcs[0] = regs->rip;
		n = 1;
		if (caller_of_unloaded(p, tid, regs, &caller)) {
			n += unwind_thread_walk(p->pid, tid, &caller, pcs + 1, UNWIND_MAX_FRAMES - 1);
			if (n == 1)
				pcs[n++] = caller.rip;
		} else {
			stopped = true;
		}
	}
	symbolize_pcs(p, pcs, n, 1, out);
	symbolize_signal_frames(p, tid, out);
	out->truncated = n == UNWIND_MAX_FRAMES;
	out->stopped_unloaded = stopped;
}

/* Turn what the history says about an address into a reported fact. */
static void
fact_from(struct process *p, const char *label, const struct addr_fact *f, double now,
	  struct fact *x)
{
	memset(x, 0, sizeof(*x));
	snprintf(x->label, sizeof(x->label), "%s", label);
	x->addr = f->addr;
	x->slot = -1;
	const struct gone_mapping *g = f->was ? f->was : f->was_unmapped;
	if (!g) {
		if (!f->loc.map)
			return;
		x->region = xstrdup(addrspace_region_name(f->loc.map));
		if (f->loc.elf && f->loc.has_vaddr) {
			const char *sec = elfsym_section_name(f->loc.elf, f->loc.vaddr);
			x->section = sec ? xstrdup(sec) : NULL;
		}
		struct frame fr;
		symbolize_frame(p, f->addr, false, &fr);
		x->live_symbol = fr.symbol;
		x->live_sym_offset = fr.sym_offset;
		free(fr.module);
		free(fr.build_id);
		return;
	}
	x->was_gone = f->was != NULL;
	x->unmapped_file = f->was_unmapped != NULL;
	x->unmap_call = g->unmap_call;
	x->contents_unknown = g->contents_unknown;
	x->path = g->map.path ? xstrdup(g->map.path) : NULL;
	memcpy(x->perms, g->map.perms, sizeof(x->perms));
	struct elf_file *elf = objcache_lookup(&g->map);
	const char *bid = elf ? elfsym_build_id(elf) : NULL;
	x->build_id = bid ? xstrdup(bid) : NULL;
	/* An unmap not seen as it happened went away after it was last seen:
	   that bounds how long before the fault it was.  Never negative: it
	   happened before the fault that found it. */
	x->gone_time_exact = g->seen_at == g->gone_at && g->gone_at <= now;
	x->gone_before = now - (x->gone_time_exact ? g->gone_at : g->seen_at);
	if (x->gone_before < 0)
		x->gone_before = 0;
	if (f->loc.map && !f->loc.gone)
		x->now_covered_by = xstrdup(addrspace_region_name(f->loc.map));
	x->symbol = f->symbol ? xstrdup(f->symbol) : NULL;
	x->sym_offset = f->sym_offset;
	x->slot = f->slot;
	x->slot_function = f->slot_function ? xstrdup(f->slot_function) : NULL;
	x->has_module_offset = f->has_vaddr;
	x->module_offset = f->vaddr;
}

/* The dlclose behind a gone mapping, if the history knows it. */
static const struct tl_event *
unload_cause(const struct process *p, const struct gone_mapping *g, const struct tl_event **unload)
{
	*unload = g && g->event_id ? timeline_find(&p->timeline, g->event_id) : NULL;
	if (!*unload || !(*unload)->ref)
		return NULL;
	return timeline_find(&p->timeline, (*unload)->ref);
}

static bool
looks_like_destruction(const char *fn)
{
	return fn && (strstr(fn, "::~") || strstr(fn, "_M_destroy") || strstr(fn, "_M_dispose") ||
		      strstr(fn, "_M_release") || strstr(fn, "_M_manager"));
}

/* The verdict when an unloaded library is involved. */
static void
library_verdict(const struct addr_fact *f, bool reload, bool pc_gone, struct finding *fd)
{
	const char *lib = gone_file_name(f);
	if (reload) {
		fd->category = xstrdup("reloaded-address");
		fd->verdict = xasprintf("use after dlclose (reloaded address): a stale pointer into "
					"%s, which was unloaded; another library now occupies that "
					"address", lib);
	} else if (pc_gone) {
		fd->category = xstrdup("call-into-unloaded-code");
		fd->verdict = xasprintf("use after dlclose: a call into code of %s after it was "
					"unloaded (a function pointer, callback or handler from the "
					"plugin outlived it)", lib);
	} else if (f->is_vtable) {
		fd->category = xstrdup("virtual-call-into-unloaded-vtable");
		fd->verdict = xasprintf("use after dlclose: an object created by plugin %s outlived "
					"the unloading of that plugin; %s it called through the "
					"plugin's vtable", lib,
					looks_like_destruction(f->slot_function) ? "destroying" : "using");
	} else {
		fd->category = xstrdup("read-of-unloaded-data");
		fd->verdict = xasprintf("use after dlclose: a read of data in %s after it was "
					"unloaded (a pointer into the plugin's data outlived it)", lib);
	}
}

/* The pc in unloaded code is where the kernel has just sent the thread:
   the handler of the last signal delivered to it, as the kernel's table
   still says. */
static void
handler_verdict(struct process *p, pid_t tid, uint64_t pc, const struct addr_fact *f,
		struct finding *fd)
{
	const struct tracee *t = tracee_find(tid);
	struct sig_handler h;
	if (!t || !t->last_signal || !sighand_get(p, tid, t->last_signal, &h) ||
	    h.handler != pc)
		return;
	fd->handler_sig = h.sig;
	char name[16];
	if (sigabbrev_np(h.sig))
		snprintf(name, sizeof(name), "SIG%s", sigabbrev_np(h.sig));
	else
		snprintf(name, sizeof(name), "signal %d", h.sig);
	free(fd->verdict);
	fd->verdict = xasprintf("use after dlclose: the handler of %s, in %s, was called "
				"after the library was unloaded (it installed the handler "
				"and nothing put the previous one back)", name, gone_file_name(f));
}

/* "pid 42 (bash)" for the sender of a signal. */
static char *
sender_words(const struct process *p, const siginfo_t *si)
{
	if (si->si_pid == p->pid)
		return xstrdup("the process itself");
	if (si->si_pid == getpid())
		return xasprintf("%s (forwarding a signal it received)", PACKAGE);
	char path[64], comm[64] = "";
	/* A traced sender may be gone by now: its last image names it. */
	const struct process *sender = NULL;
	for (const struct process *q = process_list; q; q = q->next)
		if (q->pid == si->si_pid)
			sender = q;
	if (sender)
		snprintf(comm, sizeof(comm), "%s", process_name(sender));
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)si->si_pid);
	FILE *f = si->si_pid > 0 && !comm[0] ? fopen(path, "r") : NULL;
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	if (comm[0]) {
		char q[128];
		return xasprintf("pid %d (%s), uid %u", (int)si->si_pid,
				 quote_string(comm, q, sizeof(q)), (unsigned int)si->si_uid);
	}
	return xasprintf("pid %d, uid %u", (int)si->si_pid, (unsigned int)si->si_uid);
}

/* A main-thread stack grows down into the gap below [stack]; a thread
   stack from glibc has a PROT_NONE guard page below it. */
#define STACK_GUARD_GAP (1ULL << 20)

/* The faulting thread's stack pointer must be there too: near addr, and
   at most at the top of the stack mapping above it.  Any inaccessible
   mapping under a writable one is not a stack's guard. */
static bool
in_stack_guard(const struct process *p, uint64_t addr, uint64_t sp)
{
	if (sp + STACK_GUARD_GAP < addr || sp > addr + STACK_GUARD_GAP + (64ULL << 20))
		return false;
	for (size_t i = 0; i < p->maps.n; i++) {
		const struct map_entry *m = &p->maps.v[i];
		bool main_stack = m->path && strcmp(m->path, "[stack]") == 0;
		if (main_stack && addr < m->start && m->start - addr <= STACK_GUARD_GAP &&
		    sp < m->end)
			return true;
		if (addr >= m->start && addr < m->end && !m->path &&
		    memcmp(m->perms, "---", 3) == 0 && i + 1 < p->maps.n &&
		    p->maps.v[i + 1].start == m->end && p->maps.v[i + 1].perms[1] == 'w' &&
		    sp < p->maps.v[i + 1].end)
			return true;
	}
	return false;
}

/* SIGBUS on a file mapping: whether addr lies past the file's end now. */
static bool
past_end_of_file(pid_t pid, const struct map_entry *m, uint64_t addr, uint64_t *size)
{
	char path[96];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", (int)pid,
		 (unsigned long long)m->start, (unsigned long long)m->end);
	if (stat(path, &st) != 0 && (!m->path || stat(m->path, &st) != 0))
		return false;
	*size = (uint64_t)st.st_size;
	return addr - m->start + m->offset >= *size;
}

/* A fault no unloaded library explains: say what it is. */
static void
ordinary_verdict(struct process *p, pid_t tid, const siginfo_t *si, const struct insn *in,
		 const struct addr_fact *fa, uint64_t sp, struct finding *fd)
{
	struct fault_evidence ev = {
		.sig = fd->sig, .si_code = fd->si_code, .addr = fd->addr, .pc = fd->pc,
		.sent = fd->sent, .sent_by_self = fd->sent && si->si_pid == p->pid,
		.sender = fd->sender, .insn = in,
		.history_known = fd->history_known,
	};
	char abort_text[1024];
	if (ev.sig == SIGABRT && ev.sent_by_self && abort_msg_read(p, tid, abort_text,
								 sizeof(abort_text))) {
		fd->abort_message = xstrdup(abort_text);
		ev.abort_message = fd->abort_message;
	}
	if (!ev.sent) {
		if (fa->loc.map && !fa->loc.gone) {
			ev.addr_map = fa->loc.map;
			if (fa->loc.elf && fa->loc.has_vaddr)
				ev.addr_section = elfsym_section_name(fa->loc.elf, fa->loc.vaddr);
		}
		ev.stack_guard = ev.sig == SIGSEGV && in_stack_guard(p, fd->addr, sp);
		ev.unmapped_file = fa->was_unmapped != NULL;
		ev.unmapped_file_path = fa->was_unmapped ? fa->was_unmapped->map.path : NULL;
		if (fa->was_unmapped && fa->was_unmapped->unmap_call) {
			const struct gone_mapping *g = fa->was_unmapped;
			ev.unmap_call = g->unmap_call;
			ev.unmap_contents_unknown = g->contents_unknown;
			ev.unmap_perms = g->map.perms;
			ev.unmap_before = fd->t - g->gone_at;
			fd->unmap_call = g->unmap_call;
			fd->unmap_tid = g->unmap_tid;
			fd->unmap_t = g->gone_at;
			symbolize_pcs(p, g->pcs, g->npcs, 1, &fd->unmap_stack);
		}
		if (ev.sig == SIGBUS && ev.addr_map && map_entry_is_file(ev.addr_map))
			ev.past_eof = past_end_of_file(p->pid, ev.addr_map, fd->addr,
						       &ev.file_size);
	}
	fault_class_of(&ev, &fd->category, &fd->verdict);
}

bool
diagnose_fault(struct process *p, pid_t tid, int sig, void *context)
{
	struct diagnose_context *dc = context;
	siginfo_t si;
	struct user_regs_struct regs;
	if (ptrace(PTRACE_GETSIGINFO, tid, NULL, &si) < 0 ||
	    ptrace(PTRACE_GETREGS, tid, NULL, &regs) < 0)
		return false;
	/* Mappings made or removed since the last library event: read before
	   anything points into the snapshot, and before the fault's own event,
	   so that every unmap found here is ordered (and timed) before it. */
	addrspace_refresh(p, tid, NULL, NULL);
	struct tl_event *e = timeline_add(&p->timeline, TL_FAULT, tid, NULL);
	e->status = sig;
	e->addr = (uint64_t)si.si_addr;
	struct finding *fd = finding_new(FINDING_FAULT, p, tid);
	fd->t = e->t;
	fd->fault_event = e->id;
	fd->sig = sig;
	fd->si_code = si.si_code;
	fd->sent = si.si_code <= 0;
	fd->addr = fd->sent ? 0 : (uint64_t)si.si_addr;
	fd->pc = regs.rip;
	/* For SIGSEGV and SIGBUS si_addr is the data address, and a fault at
	   the pc is the fetch; SIGFPE and SIGILL give the instruction's own
	   address. */
	fd->pc_is_addr = !fd->sent && regs.rip == fd->addr && (sig == SIGSEGV || sig == SIGBUS);
	fd->history_known = p->solib.history_known;
	e = NULL;		/* the timeline may grow from here on */

	struct insn in;
	memset(&in, 0, sizeof(in));
	struct user_regs_struct in_regs = regs;
	bool have_insn = false;
	if (!fd->sent) {
		fd->insn_addr = regs.rip;
		have_insn = fd->pc_is_addr ? find_transfer(tid, &regs, &in, &fd->insn_addr, &in_regs)
					   : decode_at(tid, regs.rip, &in);
		if (!have_insn)
			memset(&in, 0, sizeof(in));
		else if (fd->pc_is_addr)
			add_target_load(tid, fd->insn_addr, &in_regs, &in);
	}
	if (have_insn) {
		fd->insn = xstrdup(in.text);
		record_regs(&in, &in_regs, fd);
	}

	struct addr_fact fa, fp, freg;
	memset(&fa, 0, sizeof(fa));
	memset(&fp, 0, sizeof(fp));
	memset(&freg, 0, sizeof(freg));
	char stale_reg[16] = "";
	const struct addr_fact *key = NULL;
	bool reload = false;
	if (fd->sent) {
		fd->sender_pid = si.si_pid;
		fd->sender_uid = si.si_uid;
		fd->sender = sender_words(p, &si);
	} else {
		addr_fact_find(p, fd->addr, &fa);
		if (regs.rip != fd->addr)
			addr_fact_find(p, regs.rip, &fp);
		/* The fault address and the pc are evidence by themselves;
		   a register only when the instruction used it. */
		if (!(fa.was && fa.loc.gone) && !(fp.was && fp.loc.gone) && have_insn &&
		    find_reloaded_pointer(p, tid, &in, &in_regs, regs.rip, &freg, stale_reg,
					  sizeof(stale_reg)))
			reload = true;
		/* The address and the pc blame a library only where nothing is
		   mapped now: a fault inside a live mapping is that mapping's. */
		bool fa_gone = fa.was && fa.loc.gone, fp_gone = fp.was && fp.loc.gone;
		key = fp_gone ? &fp : fa_gone ? &fa : stale_reg[0] ? &freg : NULL;
		/* Reported as where they are now. */
		if (!fa_gone)
			fa.was = NULL;
		if (!fp_gone)
			fp.was = NULL;
	}

	if (key) {
		library_verdict(key, reload, key == &fp || (fd->pc_is_addr && key == &fa), fd);
		fd->blames_library = true;
		if (fd->pc_is_addr && key == &fa)
			handler_verdict(p, tid, regs.rip, key, fd);
	} else {
		ordinary_verdict(p, tid, &si, have_insn ? &in : NULL, &fa, regs.rsp, fd);
	}
	if (!fd->sent) {
		fact_from(p, "address", &fa, fd->t, &fd->facts[fd->nfacts++]);
		if (regs.rip != fd->addr)
			fact_from(p, "pc", &fp, fd->t, &fd->facts[fd->nfacts++]);
		if (stale_reg[0])
			fact_from(p, stale_reg, &freg, fd->t, &fd->facts[fd->nfacts++]);
	}

	if (key) {
		fd->library = xstrdup(key->was->map.path);
		struct elf_file *elf = objcache_lookup(&key->was->map);
		const char *bid = elf ? elfsym_build_id(elf) : NULL;
		fd->library_build_id = bid ? xstrdup(bid) : NULL;
		uint64_t object, vptr;
		const char *reg;
		if (have_insn && find_stale_object(tid, &in, &in_regs, key, &object, &vptr,
						   &reg)) {
			struct location ol;
			addrspace_locate(p, object, &ol);
			fd->object = object;
			fd->object_vptr = vptr;
			fd->object_region = xstrdup(addrspace_region_name(ol.map));
			fd->object_reg = xstrdup(reg);
		}
		const struct tl_event *unload, *dlc = unload_cause(p, key->was, &unload);
		fd->dlclose_event = dlc ? dlc->id : 0;
		fd->unload_event = unload ? unload->id : 0;
	}
	fault_stack(p, tid, &regs, &fd->stack);
	finding_publish(fd);
	addr_fact_free(&fa);
	addr_fact_free(&fp);
	addr_fact_free(&freg);
	dc->last = fd;
	return dc->gdb;
}

void
diagnose_killed(struct process *p, pid_t tid, void *context)
{
	(void)context;
	struct finding *fd = finding_new(FINDING_FAULT, p, tid);
	fd->sig = SIGKILL;
	fd->si_code = SI_USER;
	fd->sent = true;
	fd->history_known = p->solib.history_known;
	fd->sender_pid = 0;
	fd->sender = xstrdup("unknown: SIGKILL is not announced to a tracer (another "
			     "process, a timeout, or the kernel's out-of-memory killer)");
	fd->category = xstrdup("killed");
	fd->verdict = xstrdup("killed by SIGKILL, which cannot be caught, and which stops "
			      "no thread before it acts: no stack or state could be read");
	finding_publish(fd);
}

pid_t
diagnose_hand_off(struct process *p, pid_t tid, void *context)
{
	struct diagnose_context *dc = context;
	(void)tid;
	char *script = gdb_write_script(p, dc->last);
	if (!script)
		return -1;
	pid_t pid = gdb_start(p->pid, script);
	if (dc->last)
		dc->last->gdb_script = script;
	else
		free(script);
	return pid;
}
