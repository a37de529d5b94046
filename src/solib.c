#include "config.h"
#include "solib.h"
#include "addrspace.h"
#include "breakpoint.h"
#include "elfsym.h"
#include "error.h"
#include "mem.h"
#include "latent.h"
#include "objcache.h"
#include "pin.h"
#include "stats.h"
#include "symbolize.h"
#include "tracee.h"
#include "unwind.h"
#include "xmalloc.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* struct r_debug and struct link_map as laid out on x86_64 (only the ABI
   fields: l_addr, l_name, l_ld, l_next, l_prev). */
#define R_DEBUG_MAP	8
#define R_DEBUG_STATE	24
#define LM_ADDR		0
#define LM_NAME		8
#define LM_LD		16
#define LM_NEXT		24

/* A garbage or cyclic chain must not hang us. */
#define MAX_LINK_MAPS	8192

static void
solib_free(struct solib *l)
{
	free(l->path);
	free(l->file);
}

void
solib_state_free(struct solib_state *s)
{
	for (size_t i = 0; i < s->n; i++)
		solib_free(&s->libs[i]);
	free(s->libs);
	for (size_t i = 0; i < s->nopens; i++)
		free(s->opens[i].path);
	free(s->opens);
	free(s->stale);
	memset(s, 0, sizeof(*s));
}

void
solib_state_copy(struct solib_state *dst, const struct solib_state *src)
{
	*dst = *src;
	dst->libs = src->n ? xmalloc(src->n * sizeof(*src->libs)) : NULL;
	dst->cap = src->n;
	for (size_t i = 0; i < src->n; i++) {
		dst->libs[i] = src->libs[i];
		dst->libs[i].path = xstrdup(src->libs[i].path);
		dst->libs[i].file = src->libs[i].file ? xstrdup(src->libs[i].file) : NULL;
	}
	dst->opens = NULL;
	dst->nopens = dst->capopens = 0;
	dst->stale = NULL;
	dst->nstale = dst->capstale = 0;
	dst->maps_fresh = false;
}

const struct solib *
solib_find_handle(const struct solib_state *s, uint64_t lm)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->libs[i].lm == lm)
			return &s->libs[i];
	return NULL;
}

const struct solib *
solib_find_addr(const struct solib_state *s, uint64_t addr)
{
	for (size_t i = 0; i < s->n; i++)
		if (addr >= s->libs[i].start && addr < s->libs[i].end)
			return &s->libs[i];
	return NULL;
}

void
solib_format_flags(int flags, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s%s%s",
		 (flags & RTLD_NOW) ? "RTLD_NOW" : "RTLD_LAZY",
		 (flags & RTLD_GLOBAL) ? "|RTLD_GLOBAL" : "",
		 (flags & RTLD_NODELETE) ? "|RTLD_NODELETE" : "",
		 (flags & RTLD_NOLOAD) ? "|RTLD_NOLOAD" : "",
		 (flags & RTLD_DEEPBIND) ? "|RTLD_DEEPBIND" : "",
		 "");
}

/* auxv values of a freshly exec'd process. */
static bool
read_auxv(pid_t pid, uint64_t *at_base)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/auxv", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	/* A few hundred bytes: one read. */
	uint64_t v[128];
	ssize_t n = read(fd, v, sizeof(v));
	close(fd);
	*at_base = 0;
	for (ssize_t i = 0; i + 1 < n / 8; i += 2) {
		if (v[i] == AT_NULL)
			break;
		if (v[i] == AT_BASE)
			*at_base = v[i + 1];
	}
	return n > 0;
}

void
solib_on_exec(struct process *p, pid_t tid)
{
	uint64_t base;
	addrspace_refresh(p, tid, NULL, NULL);
	if (!read_auxv(tid, &base)) {
		perror_msg("pid %d: reading /proc/%d/auxv; no library events for it",
			   p->pid, tid);
		return;
	}
	if (!base) {
		debug_msg("pid %d: no dynamic linker (static executable)", p->pid);
		return;
	}
	const struct map_entry *m = maps_snapshot_find(&p->maps, base);
	struct elf_file *ld = m ? objcache_get(tid, m) : NULL;
	struct elf_symbol brk, rdebug;
	if (!ld || !elfsym_find(ld, "_dl_debug_state", &brk) ||
	    !elfsym_find(ld, "_r_debug", &rdebug)) {
		error_msg("pid %d: the dynamic linker at %#llx has no _dl_debug_state/_r_debug; "
			  "no library events for %s", p->pid, (unsigned long long)base,
			  process_name(p));
		return;
	}
	/* ld.so is linked at 0: AT_BASE is its load bias. */
	p->solib.ld_base = base;
	p->solib.r_debug = base + rdebug.value;
	if (!bp_insert(&p->bps, tid, base + brk.value, BP_RBRK)) {
		error_msg("pid %d: cannot plant a breakpoint in the dynamic linker; "
			  "no library events for %s", p->pid, process_name(p));
		return;
	}
	p->solib.dynamic = true;
}

/* The span of an object from its PT_LOAD segments; the mapping that holds
   its dynamic section tells which file it is. */
static void
solib_compute_span(struct process *p, pid_t tid, struct solib *l, uint64_t l_ld)
{
	const struct map_entry *m = maps_snapshot_find(&p->maps, l_ld);
	if (!m) {
		l->start = l->end = 0;
		return;
	}
	l->start = m->start;
	l->end = m->end;
	l->ino = m->inode;
	if (m->path && m->path[0] == '/')
		l->file = xstrdup(m->path);
	struct elf_file *elf = objcache_get(tid, m);
	l->elf = elf;
	size_t n;
	const struct elf_segment *seg = elf ? elfsym_segments(elf, &n) : NULL;
	if (!seg || !n)
		return;
	uint64_t lo = UINT64_MAX, hi = 0;
	for (size_t i = 0; i < n; i++) {
		if (seg[i].vaddr < lo)
			lo = seg[i].vaddr;
		if (seg[i].vaddr + seg[i].memsz > hi)
			hi = seg[i].vaddr + seg[i].memsz;
	}
	uint64_t page = 4096;
	l->start = (l->l_addr + lo) & ~(page - 1);
	l->end = (l->l_addr + hi + page - 1) & ~(page - 1);
}

struct chain_entry {
	uint64_t lm, l_addr, l_ld, l_name;
	char *name;
};

/* A chain the program smashed may loop.  Chains are short (tens, rarely a
   few hundred): a backward scan is cheap, and a loop of any length is
   caught at its first repeat. */
static bool
seen_before(const struct chain_entry *v, size_t n, uint64_t lm)
{
	for (size_t i = n; i-- > 0;)
		if (v[i].lm == lm)
			return true;
	return false;
}

/* The name of an object we already know, at the same link_map with the
   same name pointer: not read again at every event. */
static const char *
known_name(const struct solib_state *s, uint64_t lm, uint64_t l_name)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->libs[i].lm == lm && s->libs[i].l_name == l_name)
			return s->libs[i].path;
	return NULL;
}

/* Read through tid, a stopped thread of pid. */
static size_t
read_chain(pid_t pid, pid_t tid, const struct solib_state *s, uint64_t lm,
	   struct chain_entry **out)
{
	size_t n = 0, cap = 0;
	struct chain_entry *v = NULL;
	while (lm && n < MAX_LINK_MAPS) {
		if (seen_before(v, n, lm)) {
			error_msg("pid %d: the link_map chain loops back to %#llx (corrupt?); "
				  "reading stopped there", pid, (unsigned long long)lm);
			break;
		}
		uint64_t w[4];
		if (!mem_read(tid, lm, w, sizeof(w))) {
			debug_msg("pid %d: unreadable link_map at %#llx", pid,
				  (unsigned long long)lm);
			break;
		}
		char name[PATH_MAX];
		const char *known = known_name(s, lm, w[LM_NAME / 8]);
		if (known)
			snprintf(name, sizeof(name), "%s", known);
		else if (!w[LM_NAME / 8] || !mem_read_string(tid, w[LM_NAME / 8], name, sizeof(name)))
			name[0] = '\0';
		v = xgrow(v, &cap, n + 1, sizeof(*v));
		v[n].lm = lm;
		v[n].l_addr = w[LM_ADDR / 8];
		v[n].l_ld = w[LM_LD / 8];
		v[n].l_name = w[LM_NAME / 8];
		v[n].name = xstrdup(name);
		n++;
		lm = w[LM_NEXT / 8];
	}
	if (n == MAX_LINK_MAPS)
		error_msg("pid %d: link_map chain longer than %d entries (corrupt?); "
			  "reading stopped there", pid, MAX_LINK_MAPS);
	*out = v;
	return n;
}

static bool
same_object(const struct solib *l, const struct chain_entry *c)
{
	return l->lm == c->lm && l->l_addr == c->l_addr && strcmp(l->path, c->name) == 0;
}

/* The id of the dlclose event in flight on tid, 0 if none: its return
   breakpoint knows. */
static unsigned int
dlclose_in_flight(struct process *p, pid_t tid)
{
	struct ret_waiter *w;
	return bp_find_waiter(&p->bps, tid, &w) ? w->ref : 0;
}

struct unload_ranges {
	struct process *p;
	size_t first;		/* timeline index of the first unload of this event */
};

/* Which unload event a vanished mapping belongs to. */
static unsigned int
unload_event_for(uint64_t start, uint64_t end, void *arg)
{
	struct unload_ranges *r = arg;
	struct timeline *tl = &r->p->timeline;
	for (size_t i = r->first; i < tl->n; i++)
		if (tl->v[i].kind == TL_UNLOAD && start >= tl->v[i].start && end <= tl->v[i].end)
			return tl->v[i].id;
	return 0;
}

static struct pending_open *
pending_open_find(struct solib_state *s, pid_t tid)
{
	for (size_t i = 0; i < s->nopens; i++)
		if (s->opens[i].tid == tid)
			return &s->opens[i];
	return NULL;
}

static void
pending_open_clear(struct solib_state *s, pid_t tid)
{
	struct pending_open *o = pending_open_find(s, tid);
	if (!o)
		return;
	free(o->path);
	*o = s->opens[--s->nopens];
}

/* Does the dlopen argument name this object?  glibc keeps a name with a
   slash as given, and puts the path it found for a bare name. */
static bool
names_object(const char *l_name, const char *arg)
{
	if (!arg)
		return false;
	if (strcmp(l_name, arg) == 0)
		return true;
	const char *a = strrchr(arg, '/'), *b = strrchr(l_name, '/');
	return strcmp(a ? a + 1 : arg, b ? b + 1 : l_name) == 0;
}

static void plant_libc_hooks(struct process *p, pid_t tid, const struct solib *libc);

static bool
is_libc(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	return strncmp(base, "libc.so.", 8) == 0;
}

/* A timeline event about one object: its names, span and handle. */
static struct tl_event *
solib_event(struct process *p, enum tl_kind kind, pid_t tid, const struct solib *l)
{
	struct tl_event *e = timeline_add(&p->timeline, kind, tid, l->path);
	e->start = l->start;
	e->end = l->end;
	e->handle = l->lm;
	e->base = l->l_addr;
	e->file = l->file ? xstrdup(l->file) : NULL;
	return e;
}

/* The unwinder caches unwind info by pc.  Code unmapped is harmless
   there until something else is mapped at its place: then (and only if it
   is another file) the cache must go. */
static void
stale_add(struct solib_state *s, const struct latent_target *g)
{
	s->stale = xgrow(s->stale, &s->capstale, s->nstale + 1, sizeof(*s->stale));
	s->stale[s->nstale].start = g->start;
	s->stale[s->nstale].end = g->end;
	s->stale[s->nstale].ino = g->ino;
	s->nstale++;
}

static void
stale_check(struct process *p, const struct solib *l)
{
	struct solib_state *s = &p->solib;
	size_t w = 0;
	for (size_t i = 0; i < s->nstale; i++) {
		const struct stale_range *r = &s->stale[i];
		if (r->start >= l->end || r->end <= l->start) {
			s->stale[w++] = *r;
			continue;
		}
		if (r->ino != l->ino || !l->ino) {
			unwind_flush(p->pid);
			s->nstale = 0;
			return;
		}
		/* The same file again: the cached unwind info still holds. */
	}
	s->nstale = w;
}

/* The link_map chain is consistent: compare it with what we knew. */
static void
solib_sync(struct process *p, pid_t tid, uint64_t sp, uint64_t r_map)
{
	struct solib_state *s = &p->solib;
	struct chain_entry *chain;
	size_t n = read_chain(p->pid, tid, s, r_map, &chain);
	unsigned int dlc = dlclose_in_flight(p, tid);
	struct unload_ranges ur = { p, p->timeline.n };

	/* Unloads first: their ranges attribute the vanished mappings. */
	bool *kept = xcalloc(s->n ? s->n : 1, sizeof(bool));
	bool *known = xcalloc(n ? n : 1, sizeof(bool));
	for (size_t i = 0; i < s->n; i++)
		for (size_t j = 0; j < n; j++)
			if (!known[j] && same_object(&s->libs[i], &chain[j])) {
				kept[i] = known[j] = true;
				break;
			}
	size_t w = 0, ngone = 0;
	struct latent_target *gone = xcalloc(s->n ? s->n : 1, sizeof(*gone));
	for (size_t i = 0; i < s->n; i++) {
		if (kept[i]) {
			s->libs[w++] = s->libs[i];
			continue;
		}
		struct solib *l = &s->libs[i];
		stats.library_events++;
		struct tl_event *e = solib_event(p, TL_UNLOAD, tid, l);
		e->ref = dlc;
		struct latent_target *g = &gone[ngone++];
		/* Named as the maps (and a fault) name it. */
		if (l->file) {
			g->path = l->file;	/* freed below, after the check */
			free(l->path);
		} else {
			g->path = l->path;
		}
		g->elf = l->elf;
		g->l_addr = l->l_addr;
		g->ino = l->ino;
		g->start = l->start;
		g->end = l->end;
		g->event = e->id;
		g->dlclose_event = dlc;
		bp_table_forget_range(&p->bps, l->start, l->end);
	}
	s->n = w;
	free(kept);
	/* The dlclose in flight unloaded its library: its outcome is known,
	   no need to stop again when it returns. */
	struct ret_waiter *rw;
	struct breakpoint *rbp = bp_find_waiter(&p->bps, tid, &rw);
	if (rbp && !solib_find_handle(s, rw->handle)) {
		*rw = rbp->waiters[--rbp->nwaiters];
		if (!rbp->nwaiters)
			bp_remove(&p->bps, tid, rbp->addr);
	}

	/* The maps as of RT_DELETE, less what the dynamic linker unmapped,
	   are the maps now when this is a plain unload: no need to read
	   them again. */
	size_t nnew = 0;
	for (size_t j = 0; j < n; j++)
		nnew += !known[j];
	bool derive = s->maps_fresh && ngone && !nnew;
	for (size_t i = 0; i < ngone && derive; i++)
		derive = gone[i].elf != NULL;
	/* When the maps cannot be read, what the dynamic linker says it
	   unmapped still goes to the history. */
	if (!derive && !addrspace_refresh(p, tid, unload_event_for, &ur))
		derive = true;
	if (derive) {
		for (size_t i = 0; i < ngone; i++)
			if (gone[i].end > gone[i].start)
				addrspace_forget_range(p, gone[i].start, gone[i].end,
						       gone[i].event);
	}
	s->maps_fresh = false;
	for (size_t i = 0; i < ngone; i++)
		stale_add(s, &gone[i]);
	/* What still points into what was just unmapped. */
	for (size_t i = 0; i < ngone; i++) {
		if (gone[i].end > gone[i].start && gone[i].path[0])
			latent_check(p, tid, sp, &gone[i]);
		free((char *)gone[i].path);
	}
	free(gone);

	const struct pending_open *open = pending_open_find(s, tid);
	int flags = open ? open->flags : -1;
	for (size_t j = 0; j < n; j++) {
		if (known[j]) {
			free(chain[j].name);
			continue;
		}
		s->libs = xgrow(s->libs, &s->cap, s->n + 1, sizeof(*s->libs));
		struct solib *l = &s->libs[s->n++];
		memset(l, 0, sizeof(*l));
		l->lm = chain[j].lm;
		l->l_addr = chain[j].l_addr;
		l->l_name = chain[j].l_name;
		l->path = chain[j].name;
		l->dlopen_flags = flags;
		if (open && names_object(l->path, open->path))
			l->dlopen_calls = 1;
		solib_compute_span(p, tid, l, chain[j].l_ld);
		stale_check(p, l);
		/* After this stop the dynamic linker relocates the object and
		   makes its RELRO part read-only: record that now, so that the
		   maps need not be read again before it goes. */
		uint64_t rv, rs;
		if (l->elf && l->end > l->start && elfsym_relro(l->elf, &rv, &rs)) {
			uint64_t lo = (l->l_addr + rv) & ~4095ULL;
			uint64_t hi = (l->l_addr + rv + rs) & ~4095ULL;
			if (hi > lo)
				addrspace_protect(p, lo, hi, "r--");
		}
		/* The main program (empty name) was recorded by its exec. */
		if (l->path[0]) {
			stats.library_events++;
			struct tl_event *e = solib_event(p, TL_LOAD, tid, l);
			e->flags = flags;
			l->load_event = e->id;
		}
		if (!s->hooks_planted && is_libc(l->path))
			plant_libc_hooks(p, tid, l);
	}
	free(known);
	free(chain);
	pending_open_clear(s, tid);
	s->started = true;
}

static void
plant_libc_hooks(struct process *p, pid_t tid, const struct solib *libc)
{
	const struct map_entry *m = maps_snapshot_find(&p->maps, libc->start);
	struct elf_file *elf = m ? objcache_get(tid, m) : NULL;
	struct elf_symbol sym;
	p->solib.hooks_planted = true;
	if (!elf) {
		error_msg("pid %d: cannot read %s; dlopen/dlclose calls will not be seen",
			  p->pid, libc->path);
		return;
	}
	if (elfsym_find(elf, "dlopen", &sym))
		bp_insert(&p->bps, tid, libc->l_addr + sym.value, BP_DLOPEN);
	if (elfsym_find(elf, "dlclose", &sym))
		bp_insert(&p->bps, tid, libc->l_addr + sym.value, BP_DLCLOSE);
}

static void
on_rbrk(struct process *p, pid_t tid, struct user_regs_struct *regs)
{
	/* r_version, r_map, r_brk, r_state: one read. */
	uint64_t rd[4];
	if (!mem_read(tid, p->solib.r_debug, rd, sizeof(rd)))
		return;
	int32_t state = (int32_t)rd[R_DEBUG_STATE / 8];
	/* At RT_ADD and RT_DELETE the chain still shows the old state, and
	   dl-close.c unmaps only after RT_DELETE: RT_CONSISTENT is when to
	   compare. */
	if (state == RT_CONSISTENT)
		solib_sync(p, tid, regs->rsp, rd[R_DEBUG_MAP / 8]);
	else if (state == RT_DELETE)
		/* What is about to go is in the snapshot as it is now (RELRO
		   included, see solib_sync): at RT_CONSISTENT its mappings can
		   be taken out without reading the maps. */
		p->solib.maps_fresh = true;
}

static void
on_dlopen(struct process *p, pid_t tid, struct user_regs_struct *regs)
{
	char name[PATH_MAX];
	const char *path = NULL;
	if (regs->rdi && mem_read_string(tid, regs->rdi, name, sizeof(name)))
		path = name;
	stats.dlopen_calls++;
	struct tl_event *e = timeline_add(&p->timeline, TL_DLOPEN, tid,
					  path ? path : "(main program)");
	e->flags = (int)regs->rsi;
	struct solib_state *s = &p->solib;
	/* Already loaded: this call only takes one more reference. */
	for (size_t i = 0; path && i < s->n; i++)
		if (names_object(s->libs[i].path, path)) {
			s->libs[i].dlopen_calls++;
			return;
		}
	pending_open_clear(s, tid);
	s->opens = xgrow(s->opens, &s->capopens, s->nopens + 1, sizeof(*s->opens));
	s->opens[s->nopens].tid = tid;
	s->opens[s->nopens].flags = e->flags;
	s->opens[s->nopens].path = path ? xstrdup(path) : NULL;
	s->nopens++;
}

static void
on_dlclose(struct process *p, pid_t tid, struct user_regs_struct *regs)
{
	uint64_t handle = regs->rdi;
	struct solib *l = (struct solib *)solib_find_handle(&p->solib, handle);
	stats.dlclose_calls++;
	struct tl_event *e = timeline_add(&p->timeline, TL_DLCLOSE, tid,
					  l ? l->path : NULL);
	e->handle = handle;
	unsigned int id = e->id;
	if (l)
		l->dlclose_calls++;
	/* The caller's stack is read now, while it is still the caller's,
	   from the registers with the pc back on the breakpoint. */
	symbolize_stack(p, tid, regs, &e->stack);

	/* Stop again when this call returns, to tell whether it unloaded. */
	uint64_t ret;
	if (!mem_read_u64(tid, regs->rsp, &ret))
		return;
	struct breakpoint *bp = bp_find(&p->bps, ret);
	if (bp && bp->kind != BP_DLCLOSE_RET)
		return;
	if (!bp)
		bp = bp_insert(&p->bps, tid, ret, BP_DLCLOSE_RET);
	if (!bp || bp->nwaiters == BP_MAX_WAITERS)
		return;
	struct ret_waiter *w = &bp->waiters[bp->nwaiters++];
	w->tid = tid;
	w->sp = regs->rsp + 8;
	w->ref = id;
	w->handle = handle;
}

/* dlclose returned and the library is still mapped: say why, and when
   nothing but a pin holds it, look for what still points into it. */
static void
on_kept(struct process *p, pid_t tid, const struct solib *l, unsigned int dlclose_event,
	const struct user_regs_struct *regs)
{
	struct pin_reasons why;
	pin_explain(p, l, &why);
	struct tl_event *e = solib_event(p, TL_DLCLOSE_KEPT, tid, l);
	e->ref = dlclose_event;
	e->status = (int)regs->rax;
	e->note = pin_describe(&why);
	unsigned int kept_event = e->id;
	if (pin_is_pinned(&why) && !why.open_handles) {
		const struct tl_event *ke = timeline_find(&p->timeline, kept_event);
		struct latent_target t = {
			.path = l->file ? l->file : l->path, .elf = l->elf, .l_addr = l->l_addr,
			.start = l->start, .end = l->end, .pinned = true,
			.pin_note = ke->note, .event = kept_event,
			.dlclose_event = dlclose_event,
		};
		latent_check(p, tid, regs->rsp, &t);
	}
	pin_reasons_free(&why);
}

static void
on_dlclose_return(struct process *p, pid_t tid, struct breakpoint *bp,
		  struct user_regs_struct *regs)
{
	for (unsigned int k = 0; k < bp->nwaiters; k++) {
		struct ret_waiter *w = &bp->waiters[k];
		/* A deeper recursion returning to the same place is not it. */
		if (w->tid != tid || w->sp != regs->rsp)
			continue;
		const struct solib *l = solib_find_handle(&p->solib, w->handle);
		if (l)
			on_kept(p, tid, l, w->ref, regs);
		*w = bp->waiters[--bp->nwaiters];
		break;
	}
	/* Nobody else is on the way back here: take the int3 out. */
	if (!bp->nwaiters)
		bp_remove(&p->bps, tid, bp->addr);
}

void
solib_on_breakpoint(struct process *p, pid_t tid, struct breakpoint *bp,
		    struct user_regs_struct *regs)
{
	switch (bp->kind) {
	case BP_RBRK:
		on_rbrk(p, tid, regs);
		break;
	case BP_DLOPEN:
		on_dlopen(p, tid, regs);
		break;
	case BP_DLCLOSE:
		on_dlclose(p, tid, regs);
		break;
	case BP_DLCLOSE_RET:
		on_dlclose_return(p, tid, bp, regs);
		break;
	}
}
