#include "config.h"
#include "diagnose.h"
#include "addrspace.h"
#include "demangle.h"
#include "elfsym.h"
#include "finding.h"
#include "gdb_handoff.h"
#include "mem.h"
#include "objcache.h"
#include "report.h"
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
#include <sys/user.h>

/* What the history says about one address. */
struct addr_fact {
	uint64_t addr;
	struct location loc;		/* where it is now, or where it was */
	const struct gone_mapping *was;	/* a gone file mapping that covered it */
	char *symbol;			/* demangled symbol at addr in that file */
	uint64_t sym_offset;
	bool is_vtable;
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
	if (found && f->loc.gone) {
		f->was = maps_history_lookup(&p->history, addr);
	} else {
		const struct gone_mapping *g = maps_history_lookup(&p->history, addr);
		/* Only a file that was unmapped counts: freed anonymous memory
		   re-used by malloc is not evidence of anything. */
		if (g && map_entry_is_file(&g->map) &&
		    (!found || f->loc.map->inode != g->map.inode))
			f->was = g;
	}
	if (!f->was || !map_entry_is_file(&f->was->map)) {
		f->was = NULL;
		return;
	}
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
	return f->was ? report_basename(f->was->map.path) : "?";
}

/* The general registers by name, for the searches below. */
struct named_reg {
	const char *name;
	uint64_t val;
};

static size_t
named_regs(const struct user_regs_struct *r, struct named_reg *v)
{
	const struct named_reg all[] = {
		{ "rdi", r->rdi }, { "rsi", r->rsi }, { "rdx", r->rdx }, { "rcx", r->rcx },
		{ "r8", r->r8 }, { "r9", r->r9 }, { "rax", r->rax }, { "rbx", r->rbx },
		{ "rbp", r->rbp }, { "r12", r->r12 }, { "r13", r->r13 }, { "r14", r->r14 },
		{ "r15", r->r15 }, { "r10", r->r10 }, { "r11", r->r11 },
	};
	memcpy(v, all, sizeof(all));
	return sizeof(all) / sizeof(all[0]);
}

/* A register that holds, or points at a word that holds, an address that
   an unloaded library covered and a live mapping of another file covers
   now.  label gets "rax" or "*rax". */
static bool
find_reloaded_pointer(struct process *p, pid_t tid, const struct user_regs_struct *regs,
		      struct addr_fact *f, char *label, size_t size)
{
	struct named_reg r[16];
	size_t n = named_regs(regs, r);
	for (int deref = 0; deref < 2; deref++) {
		for (size_t i = 0; i < n; i++) {
			uint64_t v = r[i].val;
			if (deref && ((v & 7) || v < 4096 || !mem_read_u64(tid, v, &v)))
				continue;
			if (v < 4096)
				continue;
			addr_fact_find(p, v, f);
			if (f->was && f->loc.map && !f->loc.gone) {
				snprintf(label, size, "%s%s", deref ? "*" : "", r[i].name);
				return true;
			}
			addr_fact_free(f);
			memset(f, 0, sizeof(*f));
		}
	}
	return false;
}

/* Registers of the faulting thread that hold the address of an object
   whose first word points into the gone range: the object with the stale
   vptr (or table pointer). */
static bool
find_stale_object(pid_t tid, const struct user_regs_struct *regs,
		  const struct gone_mapping *was, uint64_t *object, uint64_t *vptr,
		  const char **reg_name)
{
	struct named_reg r[16];
	size_t n = named_regs(regs, r);
	for (size_t i = 0; i < n; i++) {
		uint64_t word;
		if (r[i].val < 4096 || (r[i].val & 7) || !mem_read_u64(tid, r[i].val, &word))
			continue;
		if (word >= was->map.start && word < was->map.end) {
			*object = r[i].val;
			*vptr = word;
			*reg_name = r[i].name;
			return true;
		}
	}
	return false;
}

/* The unwinder cannot step out of code that is not mapped; if the pc is
   not in live code, take the return address from the top of the stack
   (the call that got us there) and walk on from the caller. */
static void
fault_stack(struct process *p, pid_t tid, struct user_regs_struct *regs, struct stack *out)
{
	struct location loc;
	bool live_code = addrspace_locate(p, regs->rip, &loc) && !loc.gone &&
			 loc.map->perms[2] == 'x';
	uint64_t pcs[UNWIND_MAX_FRAMES];
	size_t n = 0;
	if (live_code)
		n = unwind_thread_walk(p->pid, tid, regs, pcs, UNWIND_MAX_FRAMES);
	if (n <= 1 && !live_code) {
		uint64_t ret;
		pcs[0] = regs->rip;
		n = 1;
		if (mem_read_u64(tid, regs->rsp, &ret)) {
			/* As if the call had returned: the walk goes on from there. */
			struct user_regs_struct caller = *regs;
			caller.rip = ret;
			caller.rsp += 8;
			n += unwind_thread_walk(p->pid, tid, &caller, pcs + 1, UNWIND_MAX_FRAMES - 1);
			if (n == 1)
				pcs[n++] = ret;
		}
	}
	symbolize_pcs(p, pcs, n, 1, out);
	out->truncated = n == UNWIND_MAX_FRAMES;
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
	const struct gone_mapping *g = f->was;
	if (!g) {
		if (!f->loc.map)
			return;
		x->region = xstrdup(addrspace_region_name(f->loc.map));
		struct frame fr;
		symbolize_frame(p, f->addr, false, &fr);
		x->live_symbol = fr.symbol;
		x->live_sym_offset = fr.sym_offset;
		free(fr.module);
		free(fr.build_id);
		return;
	}
	x->was_gone = true;
	x->path = xstrdup(g->map.path);
	memcpy(x->perms, g->map.perms, sizeof(x->perms));
	struct elf_file *elf = objcache_lookup(&g->map);
	const char *bid = elf ? elfsym_build_id(elf) : NULL;
	x->build_id = bid ? xstrdup(bid) : NULL;
	x->gone_before = now - g->gone_at;
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

/* The verdict in plain words, and a short category for machines. */
static void
verdict_of(const struct addr_fact *pc, const struct addr_fact *addr, bool reload,
	   struct finding *fd)
{
	const struct addr_fact *f = pc->was ? pc : addr;
	const char *lib = gone_file_name(f);
	if (!f->was) {
		fd->category = xstrdup("unrelated");
		fd->verdict = xstrdup("no unloaded library is involved: neither the faulting "
				      "address nor the pc was ever in a library that was unmapped");
	} else if (reload) {
		fd->category = xstrdup("reloaded-address");
		fd->verdict = xasprintf("use after dlclose (reloaded address): a stale pointer into "
					"%s, which was unloaded; another library now occupies that "
					"address", lib);
	} else if (pc->was) {
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

bool
diagnose_fault(struct process *p, pid_t tid, int sig, void *context)
{
	struct diagnose_context *dc = context;
	siginfo_t si;
	struct user_regs_struct regs;
	if (ptrace(PTRACE_GETSIGINFO, tid, NULL, &si) < 0 ||
	    ptrace(PTRACE_GETREGS, tid, NULL, &regs) < 0)
		return false;
	report_findings.faults++;
	struct tl_event *e = timeline_add(&p->timeline, TL_FAULT, tid, NULL);
	e->status = sig;
	e->addr = (uint64_t)si.si_addr;
	struct finding *fd = finding_new(FINDING_FAULT, p, tid);
	fd->t = e->t;
	fd->sig = sig;
	fd->si_code = si.si_code;
	fd->addr = e->addr;
	fd->pc = regs.rip;
	fd->pc_is_addr = regs.rip == e->addr;
	fd->fault_event = e->id;

	/* Mappings made since the last library event (plain mmap, JIT):
	   read once, before anything points into the snapshot. */
	addrspace_refresh(p, tid, NULL, NULL);
	struct addr_fact fa, fp;
	addr_fact_find(p, e->addr, &fa);
	addr_fact_find(p, regs.rip, &fp);
	bool reload = (fa.was && fa.loc.map && !fa.loc.gone) ||
		      (fp.was && fp.loc.map && !fp.loc.gone);

	/* A stale vptr read from a reloaded library may call through 0 or
	   garbage: a register holding, or pointing at, an address in a range
	   that a gone library covered and another one covers now is the
	   evidence. */
	struct addr_fact freg;
	memset(&freg, 0, sizeof(freg));
	char stale_reg[16] = "";
	if (!fa.was && !fp.was && find_reloaded_pointer(p, tid, &regs, &freg, stale_reg,
							sizeof(stale_reg)))
		reload = true;
	const struct addr_fact *key = fp.was ? &fp : fa.was ? &fa : stale_reg[0] ? &freg : &fa;

	verdict_of(&fp, stale_reg[0] ? &freg : &fa, reload, fd);
	fact_from(p, "address", &fa, fd->t, &fd->facts[fd->nfacts++]);
	if (!fd->pc_is_addr)
		fact_from(p, "pc", &fp, fd->t, &fd->facts[fd->nfacts++]);
	if (stale_reg[0])
		fact_from(p, stale_reg, &freg, fd->t, &fd->facts[fd->nfacts++]);

	if (key->was) {
		report_findings.unloaded_faults++;
		fd->blames_library = true;
		fd->library = xstrdup(key->was->map.path);
		struct elf_file *elf = objcache_lookup(&key->was->map);
		const char *bid = elf ? elfsym_build_id(elf) : NULL;
		fd->library_build_id = bid ? xstrdup(bid) : NULL;
		uint64_t object, vptr;
		const char *reg;
		if (find_stale_object(tid, &regs, key->was, &object, &vptr, &reg)) {
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
	finding_sign(fd);
	report_fault(dc->report->out, fd);
	addr_fact_free(&fa);
	addr_fact_free(&fp);
	addr_fact_free(&freg);
	dc->last = fd;
	return dc->gdb;
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
