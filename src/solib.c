#include "config.h"
#include "solib.h"
#include "addrspace.h"
#include "breakpoint.h"
#include "deferred.h"
#include "elfsym.h"
#include "error.h"
#include "glibc.h"
#include "mem.h"
#include "latent.h"
#include "objcache.h"
#include "pin.h"
#include "stats.h"
#include "symbolize.h"
#include "procmap.h"
#include "tracee.h"
#include "unmapwatch.h"
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
#include <sys/ptrace.h>
#include <unistd.h>

/* struct r_debug and struct link_map as laid out on x86_64 (only the ABI
   fields: l_addr, l_name, l_ld, l_next, l_prev).  glibc 2.35 made _r_debug
   the head of a list of r_debug_extended, one per link-map namespace in
   use, chained through r_next; r_version is 2 once there is more than the
   base namespace.  Before 2.35 only the base's r_debug is public. */
#define R_DEBUG_VERSION	0
#define R_DEBUG_MAP	8
#define R_DEBUG_STATE	24
#define R_DEBUG_NEXT	40
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

static void closing_free(struct solib_state *s);

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
	closing_free(s);
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
	dst->closing = NULL;
	dst->maps_fresh = false;
	/* The child makes none of its parent's calls (its copy of the table
	   has r_brk's int3 in again); what they loaded is read at its first
	   library event. */
	if (src->rbrk_holds)
		for (unsigned int i = 0; i < dst->nns; i++)
			dst->ns[i].dirty = true;
	dst->rbrk_holds = 0;
	dst->rbrk_forced = false;
}

const struct solib *
solib_find_handle(const struct solib_state *s, uint64_t lm)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->libs[i].lm == lm)
			return &s->libs[i];
	return NULL;
}

/* The loaded object whose span holds addr (a hook's breakpoint). */
static const struct solib *
solib_find_addr(const struct solib_state *s, uint64_t addr)
{
	for (size_t i = 0; i < s->n; i++)
		if (!s->libs[i].alias && addr >= s->libs[i].start && addr < s->libs[i].end)
			return &s->libs[i];
	return NULL;
}

void
solib_format_lmid(long lmid, char *buf, size_t size)
{
	if (lmid == LM_ID_NEWLM)
		snprintf(buf, size, "LM_ID_NEWLM");
	else if (lmid == LM_ID_BASE)
		snprintf(buf, size, "LM_ID_BASE");
	else
		snprintf(buf, size, "%ld", lmid);
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
read_auxv(pid_t pid, uint64_t *at_base, uint64_t *at_phdr)
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
	*at_base = *at_phdr = 0;
	for (ssize_t i = 0; i + 1 < n / 8; i += 2) {
		if (v[i] == AT_NULL)
			break;
		if (v[i] == AT_BASE)
			*at_base = v[i + 1];
		if (v[i] == AT_PHDR)
			*at_phdr = v[i + 1];
	}
	return n > 0;
}

/* The dynamic linker's symbols for library events. */
static bool
ld_symbols(struct elf_file *ld, struct elf_symbol *brk, struct elf_symbol *rdebug)
{
	return ld && elfsym_find(ld, "_dl_debug_state", brk) &&
	       elfsym_find(ld, "_r_debug", rdebug);
}

void
solib_on_exec(struct process *p, pid_t tid)
{
	uint64_t base, phdr;
	struct elf_symbol brk, rdebug;
	addrspace_refresh(p, tid, NULL, NULL);
	if (!read_auxv(tid, &base, &phdr)) {
		perror_msg("pid %d: reading /proc/%d/auxv; no library events for it",
			   p->pid, tid);
		return;
	}
	const struct map_entry *m;
	struct elf_file *ld;
	if (!base) {
		/* No interpreter: a static program, or ld.so run as the program
		   ("ld.so --library-path DIR PROG"), which then loads PROG and
		   its libraries itself. */
		m = maps_snapshot_find(&p->maps, phdr);
		ld = m ? objcache_get(tid, m) : NULL;
		uint64_t vaddr;
		/* ld.so exports both; a static program may have them in its
		   .symtab (for static dlopen), and is not ld.so. */
		if (!ld) {
			error_msg("pid %d: cannot read the program's file to tell whether it is "
				  "static or the dynamic linker; no library events for %s", p->pid,
				  process_name(p));
			return;
		}
		if (!ld_symbols(ld, &brk, &rdebug) || brk.from_symtab || rdebug.from_symtab ||
		    !elfsym_offset_to_vaddr(ld, m->offset, &vaddr)) {
			debug_msg("pid %d: no dynamic linker (static executable)", p->pid);
			/* Nothing is loaded or unloaded but by the maps. */
			p->solib.history_known = true;
			return;
		}
		base = m->start - vaddr;
		debug_msg("pid %d: the program is the dynamic linker itself", p->pid);
	} else {
		m = maps_snapshot_find(&p->maps, base);
		ld = m ? objcache_get(tid, m) : NULL;
		if (!ld_symbols(ld, &brk, &rdebug)) {
			error_msg("pid %d: the dynamic linker at %#llx has no _dl_debug_state/"
				  "_r_debug or cannot be read; no library events for %s",
				  p->pid, (unsigned long long)base, process_name(p));
			return;
		}
	}
	/* ld.so is linked at 0: AT_BASE is its load bias. */
	p->solib.ld_base = base;
	p->solib.r_debug = base + rdebug.value;
	p->solib.ns[0].r_debug = p->solib.r_debug;
	p->solib.ns[0].dirty = true;
	p->solib.nns = 1;
	p->solib.rbrk = base + brk.value;
	if (!bp_insert(&p->bps, tid, p->solib.rbrk, BP_RBRK)) {
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

/* One more entry at the end of v (its n entries, room for cap). */
static void
chain_push(struct chain_entry **v, size_t *cap, size_t *n, uint64_t lm, uint64_t l_addr,
	   uint64_t l_ld, uint64_t l_name, const char *name)
{
	*v = xgrow(*v, cap, *n + 1, sizeof(**v));
	struct chain_entry *e = &(*v)[(*n)++];
	e->lm = lm;
	e->l_addr = l_addr;
	e->l_ld = l_ld;
	e->l_name = l_name;
	e->name = xstrdup(name);
}

static void
chain_free(struct chain_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/* The chain of namespace ns from head when it is append_only (see
   solib_ns): the objects we know, then what follows the last of them,
   which is one read instead of one per object.  0 when that does not
   hold up (the head or the last object is not what we knew, or what
   follows leads back into the chain): it must be read whole. */
static size_t
read_chain_tail(pid_t tid, const struct solib_state *s, unsigned int ns, uint64_t head,
		struct chain_entry **out)
{
	size_t n = 0, cap = 0;
	struct chain_entry *v = NULL;
	const struct solib *last = NULL;
	for (size_t i = 0; i < s->n; i++) {
		const struct solib *l = &s->libs[i];
		if (l->ns != ns)
			continue;
		if (!n && l->lm != head)
			goto whole;
		chain_push(&v, &cap, &n, l->lm, l->l_addr, l->l_ld, l->l_name, l->path);
		last = l;
	}
	uint64_t w[4];
	if (!last || !mem_read(tid, last->lm, w, sizeof(w)) || w[LM_ADDR / 8] != last->l_addr ||
	    w[LM_LD / 8] != last->l_ld || w[LM_NAME / 8] != last->l_name)
		goto whole;
	for (uint64_t lm = w[LM_NEXT / 8]; lm; lm = w[LM_NEXT / 8]) {
		if (n == MAX_LINK_MAPS || seen_before(v, n, lm) || !mem_read(tid, lm, w, sizeof(w)))
			goto whole;
		char name[PATH_MAX];
		if (!w[LM_NAME / 8] || !mem_read_string(tid, w[LM_NAME / 8], name, sizeof(name)))
			name[0] = '\0';
		chain_push(&v, &cap, &n, lm, w[LM_ADDR / 8], w[LM_LD / 8], w[LM_NAME / 8], name);
	}
	*out = v;
	return n;
whole:
	chain_free(v, n);
	return 0;
}

/* The chain from lm, read through tid (a stopped thread of pid); *whole
   is false when it could not be read to its end (a loop, an unreadable
   link_map, too many): the objects after that point are unknown, not
   gone. */
static size_t
read_chain(pid_t pid, pid_t tid, const struct solib_state *s, unsigned int ns, uint64_t lm,
	   struct chain_entry **out, bool *whole)
{
	size_t n = 0, cap = 0;
	struct chain_entry *v = NULL;
	*whole = true;
	/* The link_maps of the objects known in this namespace, in one go:
	   most of the chain, in the same order. */
	uint64_t *known_lm = xcalloc(s->n ? s->n : 1, sizeof(*known_lm));
	size_t nknown = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->libs[i].ns == ns)
			known_lm[nknown++] = s->libs[i].lm;
	uint64_t (*known_w)[4] = xcalloc(nknown ? nknown : 1, sizeof(*known_w));
	size_t nread = mem_read_pieces(tid, known_lm, nknown, sizeof(*known_w), known_w);
	size_t hint = 0;
	while (lm && n < MAX_LINK_MAPS) {
		if (seen_before(v, n, lm)) {
			error_msg("pid %d: the link_map chain loops back to %#llx (corrupt?); "
				  "reading stopped there", pid, (unsigned long long)lm);
			*whole = false;
			break;
		}
		uint64_t w[4];
		size_t k = hint < nread && known_lm[hint] == lm ? hint : nread;
		for (size_t i = 0; k == nread && i < nread; i++)
			if (known_lm[i] == lm)
				k = i;
		if (k < nread) {
			memcpy(w, known_w[k], sizeof(w));
			hint = k + 1;
		} else if (!mem_read(tid, lm, w, sizeof(w))) {
			error_msg("pid %d: reading the link_map at %#llx (entry %zu of the "
				  "dynamic linker's list) failed; library events skipped until "
				  "it can be read", pid, (unsigned long long)lm, n);
			*whole = false;
			break;
		}
		char name[PATH_MAX];
		const char *known = known_name(s, lm, w[LM_NAME / 8]);
		if (known)
			snprintf(name, sizeof(name), "%s", known);
		else if (!w[LM_NAME / 8] || !mem_read_string(tid, w[LM_NAME / 8], name, sizeof(name)))
			name[0] = '\0';
		chain_push(&v, &cap, &n, lm, w[LM_ADDR / 8], w[LM_LD / 8], w[LM_NAME / 8], name);
		lm = w[LM_NEXT / 8];
	}
	if (n == MAX_LINK_MAPS) {
		error_msg("pid %d: link_map chain longer than %d entries (corrupt?); "
			  "reading stopped there", pid, MAX_LINK_MAPS);
		*whole = false;
	}
	free(known_lm);
	free(known_w);
	*out = v;
	return n;
}

static bool
same_object(const struct solib *l, const struct chain_entry *c)
{
	return l->lm == c->lm && l->l_addr == c->l_addr && strcmp(l->path, c->name) == 0;
}

static void
closing_free(struct solib_state *s)
{
	if (s->closing)
		latent_data_free(s->closing);
	free(s->closing);
	s->closing = NULL;
}

/* At RT_DELETE, the data of the object the dlclose in flight on tid is
   about to unmap: at RT_CONSISTENT it is gone, and a live pointer to one
   of its objects is named with the class that object's vptr gave. */
static void
closing_save(struct process *p, pid_t tid)
{
	struct solib_state *s = &p->solib;
	struct ret_waiter *w;
	closing_free(s);
	if (!bp_find_waiter(&p->bps, BP_DLCLOSE_RET, tid, &w))
		return;
	const struct solib *l = solib_find_handle(s, w->handle);
	if (!l || !l->elf)
		return;
	s->closing = xcalloc(1, sizeof(*s->closing));
	s->closing_lm = l->lm;
	latent_data_save(tid, l->elf, l->l_addr, s->closing);
}

/* The id of the dlclose event in flight on tid, 0 if none: its return
   breakpoint knows. */
static unsigned int
dlclose_in_flight(struct process *p, pid_t tid)
{
	struct ret_waiter *w;
	return bp_find_waiter(&p->bps, BP_DLCLOSE_RET, tid, &w) ? w->ref : 0;
}

/* The dlopen in flight on tid, the innermost when a constructor called
   another (they are kept in the order they were called). */
static struct pending_open *
pending_open_find(struct solib_state *s, pid_t tid)
{
	for (size_t i = s->nopens; i-- > 0;)
		if (s->opens[i].tid == tid)
			return &s->opens[i];
	return NULL;
}

static bool names_path(const char *l_name, const char *arg);

/* A dlopen in flight (or returned, its thread not seen since), whose
   object is not in the chain yet, that names l_name (tid's first): what
   it opened is in from now on, and takes its flags and its event,
   whichever thread's stop found it. */
static struct pending_open *
open_naming(struct solib_state *s, pid_t tid, const char *l_name)
{
	struct pending_open *found = NULL;
	for (size_t i = 0; i < s->nopens; i++) {
		struct pending_open *o = &s->opens[i];
		if (!o->mapped && names_path(l_name, o->path) && (!found || o->tid == tid))
			found = o;
	}
	return found;
}

bool
solib_loading(const struct solib_state *s, pid_t tid)
{
	for (size_t i = 0; i < s->nopens; i++)
		if (s->opens[i].tid == tid && !s->opens[i].mapped)
			return true;
	return false;
}

/* o is over; a hold it had on r_brk goes (the int3 itself comes back at
   the next rbrk_update). */
static void
pending_open_remove(struct solib_state *s, struct pending_open *o)
{
	if (o->holds && s->rbrk_holds)
		s->rbrk_holds--;
	free(o->path);
	size_t i = (size_t)(o - s->opens);
	memmove(o, o + 1, (s->nopens - i - 1) * sizeof(*o));
	s->nopens--;
}

/* tid's dlopen calls over, but those holding r_brk out (all of them with
   every). */
static void
pending_open_clear(struct solib_state *s, pid_t tid, bool every)
{
	for (size_t i = s->nopens; i-- > 0;)
		if (s->opens[i].tid == tid && (every || !s->opens[i].holds))
			pending_open_remove(s, &s->opens[i]);
}

/* tid's dlopen calls that hold r_brk out and have returned: tid's stack
   pointer sp is back at (a later call from the same frame) or above
   where it was at their entry.  Their objects were read at this stop
   first.  A stop on a signal stack that lies above can end one early:
   r_brk is then back for the rest of the call, which costs its stops. */
static void
pending_open_returned(struct solib_state *s, pid_t tid, uint64_t sp)
{
	for (size_t i = s->nopens; i-- > 0;)
		if (s->opens[i].tid == tid && s->opens[i].holds && sp >= s->opens[i].sp)
			pending_open_remove(s, &s->opens[i]);
}

/* While a dlopen or dlclose made through its public entry point is in
   flight, and the unmap watch is on, r_brk's int3 is out.  A dlopen's
   objects are read at the next stop of the process, whatever it is (the
   next dlopen or dlclose, a munmap, a signal, the exit): no stop of its
   own, where r_brk would make two; its hold ends at a stop of its thread
   that finds it returned.  A dlclose's first munmap (a seccomp stop
   anyway) tells what RT_DELETE would have, and r_brk is back for its
   RT_CONSISTENT (rbrk_forced): its unloads must be read before the
   loader lock is let go, or another thread could map something new where
   they were.  Meanwhile any stop of the process reads r_debug first
   (solib_catch_up), and every consistent namespace at each of them. */
static void
rbrk_update(struct process *p, pid_t tid)
{
	struct solib_state *s = &p->solib;
	struct breakpoint *bp = bp_find(&p->bps, s->rbrk);
	if (!bp)
		return;
	bool armed = !s->rbrk_holds || s->rbrk_forced;
	if (armed && bp->disarmed) {
		bp_arm(&p->bps, tid, bp);
		/* Another thread may have loaded something since its chain
		   was last read (unloads stop at their munmap): read the
		   chains at the next stop. */
		if (p->nthreads > 1)
			s->rbrk_blind = true;
	} else if (!armed && !bp->disarmed) {
		bp_disarm(&p->bps, tid, bp);
	}
}

static void
rbrk_hold(struct process *p, pid_t tid)
{
	p->solib.rbrk_holds++;
	rbrk_update(p, tid);
}

static void
rbrk_release(struct process *p, pid_t tid)
{
	if (p->solib.rbrk_holds)
		p->solib.rbrk_holds--;
	rbrk_update(p, tid);
}

/* Waiter k of bp is done with, through the stopped thread tid: the int3
   goes when nobody else waits there, r_brk's comes back when it held it
   out.  bp is not valid after. */
static void
waiter_remove(struct process *p, pid_t tid, struct breakpoint *bp, unsigned int k)
{
	bool held = bp->waiters[k].holds_rbrk;
	uint64_t addr = bp->addr;
	bp->waiters[k] = bp->waiters[--bp->nwaiters];
	if (!bp->nwaiters)
		bp_remove(&p->bps, tid, addr);
	if (held)
		rbrk_release(p, tid);
}

/* Calls of tid whose frame is gone (left by longjmp, or a thread that
   called from the same frame again): they will not return through their
   breakpoint.  Dropping one only gives its events back to r_brk. */
static void
drop_stale_waiters(struct process *p, pid_t tid, uint64_t sp)
{
	for (size_t i = 0; i < p->bps.n; i++) {
		struct breakpoint *bp = &p->bps.v[i];
		for (unsigned int k = 0; k < bp->nwaiters; k++) {
			if (bp->waiters[k].tid != tid || sp + 8 < bp->waiters[k].sp)
				continue;
			debug_msg("pid %d: thread %d left a dlclose without returning to %#llx",
				  p->pid, tid, (unsigned long long)bp->addr);
			waiter_remove(p, tid, bp, k);
			/* The table may have changed: start over. */
			drop_stale_waiters(p, tid, sp);
			return;
		}
	}
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

static const char *base_name(const char *path);

/* Is l_name the path glibc gives the object a dlopen argument loads?  A
   name with a slash is the file's path, kept as given (a /b/libx.so is
   never an /a/libx.so); for a bare name it keeps the path its search
   found. */
static bool
names_path(const char *l_name, const char *arg)
{
	if (!arg)
		return false;
	if (strcmp(l_name, arg) == 0)
		return true;
	return !strchr(arg, '/') && strcmp(base_name(l_name), arg) == 0;
}

/* Does a dlopen argument name this loaded object?  A bare name also
   matches its soname, as glibc matches it. */
static bool
names_object(const struct solib *l, const char *arg)
{
	if (names_path(l->path, arg))
		return true;
	const char *soname = arg && !strchr(arg, '/') && l->elf ? elfsym_soname(l->elf) : NULL;
	return soname && strcmp(soname, arg) == 0;
}

static void plant_dl_hooks(struct process *p, pid_t tid, const struct solib *l);
static void warn_no_dl_hooks(const struct process *p);
static void debug_glibc_version(const struct process *p, const struct solib *libc);

static const char *
base_name(const char *path)
{
	const char *base = strrchr(path, '/');
	return base ? base + 1 : path;
}

static bool
is_libc(const char *path)
{
	return strncmp(base_name(path), "libc.so.", 8) == 0;
}

/* glibc's objects that may define dlopen and dlclose. */
static bool
is_glibc_dl(const char *path)
{
	return is_libc(path) || strncmp(base_name(path), "libdl.so.", 9) == 0;
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
	e->ns = l->ns;
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

/* ld.so's link_map in namespace ns other than the base: the object mapped
   at l_ld is already known in another namespace (glibc 2.35+ enters the
   one ld.so in every namespace, with a link_map of its own). */
static bool
is_alias(const struct solib_state *s, unsigned int ns, uint64_t l_ld)
{
	if (!ns || !l_ld)
		return false;
	for (size_t i = 0; i < s->n; i++)
		if (s->libs[i].ns != ns && !s->libs[i].alias && s->libs[i].l_ld == l_ld)
			return true;
	return false;
}

/* The link_map chain of namespace ns (from r_map) is consistent: compare
   it with what we knew of that namespace.  expected: the namespace was
   seen changing (RT_ADD, RT_DELETE) since it was last read, or never read.
   False when it could not be read: the namespace's history is unknown
   until its next consistent chain. */
static bool
solib_sync(struct process *p, pid_t tid, uint64_t sp, unsigned int ns, uint64_t r_map,
	   bool expected, bool may_inject, bool *loaded)
{
	struct solib_state *s = &p->solib;
	struct chain_entry *chain = NULL;
	bool whole = true;
	size_t n = s->ns[ns].append_only ? read_chain_tail(tid, s, ns, r_map, &chain) : 0;
	if (!n)
		n = read_chain(p->pid, tid, s, ns, r_map, &chain, &whole);
	/* The dynamic linker's chain starts at the main program, which is
	   never unloaded, and ends.  Anything else is a chain the program
	   smashed (glibc keeps its own list and repairs r_map at the next
	   dlopen), or a tail we could not read: compared with what we knew,
	   it would make every library look unloaded, and blame them.  Wait
	   for the next consistent one; until then the history is unknown.
	   Another namespace starts at what dlmopen loaded first, and is empty
	   (r_map NULL) once all of it is unloaded. */
	bool foreign = ns == 0 && s->main_lm && (!n || chain[0].lm != s->main_lm);
	if (!whole || foreign) {
		error_msg("pid %d: the link_map chain at %#llx is not the dynamic linker's "
			  "(corrupt?); library events wait for the next consistent one",
			  p->pid, (unsigned long long)r_map);
		chain_free(chain, n);
		return false;
	}
	if (ns == 0 && !s->main_lm && n)
		s->main_lm = chain[0].lm;
	unsigned int dlc = dlclose_in_flight(p, tid);
	struct unload_ranges ur = { p, p->timeline.n };

	/* Unloads first: their ranges attribute the vanished mappings.
	   Objects of other namespaces are not in this chain, and stay. */
	bool *kept = xcalloc(s->n ? s->n : 1, sizeof(bool));
	bool *known = xcalloc(n ? n : 1, sizeof(bool));
	for (size_t i = 0; i < s->n; i++) {
		if (s->libs[i].ns != ns) {
			kept[i] = true;
			continue;
		}
		for (size_t j = 0; j < n; j++)
			if (!known[j] && same_object(&s->libs[i], &chain[j])) {
				kept[i] = known[j] = true;
				break;
			}
	}
	size_t w = 0, ngone = 0;
	struct latent_target *gone = xcalloc(s->n ? s->n : 1, sizeof(*gone));
	for (size_t i = 0; i < s->n; i++) {
		if (kept[i]) {
			s->libs[w++] = s->libs[i];
			continue;
		}
		struct solib *l = &s->libs[i];
		if (s->ns[ns].hooks_lm == l->lm)
			s->ns[ns].hooks_lm = 0;
		if (l->alias) {
			/* ld.so stays: nothing of it was unmapped. */
			solib_free(l);
			continue;
		}
		stats.library_events++;
		struct tl_event *e = solib_event(p, TL_UNLOAD, tid, l);
		e->ref = dlc;
		deferred_unloaded(p, tid, l->lm, &e->ref, &e->outer_ref);
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
		g->dlclose_event = e->ref;
		g->data = s->closing && s->closing_lm == l->lm ? s->closing : NULL;
		bp_table_forget_range(&p->bps, l->start, l->end);
	}
	s->n = w;
	free(kept);
	/* The dlclose in flight unloaded its library: its outcome is known,
	   no need to stop again when it returns. */
	struct ret_waiter *rw;
	struct breakpoint *rbp = bp_find_waiter(&p->bps, BP_DLCLOSE_RET, tid, &rw);
	if (rbp && !solib_find_handle(s, rw->handle) && !deferred_pending(p, rw->ref))
		waiter_remove(p, tid, rbp, (unsigned int)(rw - rbp->waiters));

	/* The maps as of RT_DELETE, less what the dynamic linker unmapped,
	   are the maps now when this is a plain unload: no need to read
	   them again. */
	bool *alias = xcalloc(n ? n : 1, sizeof(bool));
	size_t nnew = 0;
	for (size_t j = 0; j < n; j++) {
		alias[j] = !known[j] && is_alias(s, ns, chain[j].l_ld);
		nnew += !known[j] && !alias[j];
	}
	*loaded = nnew > 0;
	bool derive = s->maps_fresh && ngone && !nnew;
	for (size_t i = 0; i < ngone && derive; i++)
		derive = gone[i].elf != NULL;
	/* Plain loads, with the unmap watch keeping the snapshot honest
	   between events (and PROCMAP_QUERY saying what an unmap removes):
	   each new object's mappings come from its program headers, so the
	   cost of a load does not grow with the number of mappings the
	   process has.  Older kernels read the maps as before. */
	bool mapped = s->started && !ngone && nnew && unmapwatch_active(p) &&
		      procmap_query_available();
	for (size_t j = 0; j < n && mapped; j++)
		if (!known[j] && !alias[j])
			mapped = addrspace_map_object(p, tid, chain[j].l_addr);
	derive |= mapped;
	/* Read at another namespace's event, and unchanged: the maps are
	   that event's to read. */
	if (!expected && !ngone && !nnew)
		derive = true;
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
	latent_check(p, tid, sp, gone, ngone, may_inject);
	for (size_t i = 0; i < ngone; i++)
		free((char *)gone[i].path);
	free(gone);
	closing_free(s);

	/* The dlopen's flags (RTLD_NODELETE among them) are the object's it
	   opened, not its dependencies'.  glibc maps that object first: if
	   its name is not recognised, it is the first new one. */
	struct pending_open *open = pending_open_find(s, tid);
	if (open && (open->holds || open->mapped))
		open = NULL;
	size_t opened = n;
	for (size_t j = 0; open && j < n && opened == n; j++)
		if (!known[j] && !alias[j] && names_path(chain[j].name, open->path))
			opened = j;
	for (size_t j = 0; open && j < n && opened == n; j++)
		if (!known[j] && !alias[j] && chain[j].name[0])
			opened = j;
	if (opened < n)
		open->mapped = true;
	for (size_t j = 0; j < n; j++) {
		int flags = j == opened ? open->flags : -1;
		unsigned int by = j == opened ? open->event : 0;
		if (known[j]) {
			free(chain[j].name);
			continue;
		}
		struct pending_open *other = j == opened || alias[j] ? NULL :
					     open_naming(s, tid, chain[j].name);
		if (other) {
			other->mapped = true;
			flags = other->flags;
			by = other->event;
		}
		s->libs = xgrow(s->libs, &s->cap, s->n + 1, sizeof(*s->libs));
		struct solib *l = &s->libs[s->n++];
		memset(l, 0, sizeof(*l));
		l->lm = chain[j].lm;
		l->l_addr = chain[j].l_addr;
		l->l_name = chain[j].l_name;
		l->l_ld = chain[j].l_ld;
		l->ns = ns;
		l->path = chain[j].name;
		l->dlopen_flags = flags;
		if (alias[j]) {
			/* Known, mapped and hooked as the base's ld.so. */
			l->alias = true;
			continue;
		}
		if (j == opened || other)
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
			e->dlopen_ref = by;
			l->load_event = e->id;
		}
		/* Which glibc: for --debug only (reading it costs a scan of
		   the file; the heap walk asks for it when it needs it). */
		if (ns == 0 && debug_enabled && is_libc(l->path))
			debug_glibc_version(p, l);
		/* A namespace has its own libc, whose dlopen and dlclose its
		   objects call. */
		if (!s->ns[ns].hooks_lm && is_glibc_dl(l->path))
			plant_dl_hooks(p, tid, l);
	}
	/* Libraries loaded at run time, and no dlopen to see them called. */
	if (ns == 0 && s->started && nnew && !s->hooks_planted)
		warn_no_dl_hooks(p);
	free(alias);
	free(known);
	free(chain);
	if (ns == 0)
		s->started = true;
	return true;
}

static void
debug_glibc_version(const struct process *p, const struct solib *libc)
{
	unsigned int major, minor;
	if (glibc_version_of_file(libc->elf ? elfsym_fd(libc->elf) : -1, &major, &minor))
		debug_msg("pid %d: glibc %u.%u (%s)", p->pid, major, minor, libc->path);
	else
		debug_msg("pid %d: cannot tell the glibc version of %s (no release text in "
			  "the file)", p->pid, libc->path);
}

/* Put a hook on the entry of a function name of object l. */
static bool
hook_function(struct process *p, pid_t tid, const struct solib *l, const char *name,
	      enum bp_kind kind)
{
	struct elf_symbol sym;
	if (!elfsym_find(l->elf, name, &sym) || sym.from_symtab)
		return false;
	if (!bp_insert(&p->bps, tid, l->l_addr + sym.value, kind)) {
		error_msg("pid %d: cannot plant a breakpoint on %s in %s; its calls will not be "
			  "seen", p->pid, name, l->path);
		return false;
	}
	return true;
}

/* dlopen, dlclose and dlmopen are in libdl.so.2 before glibc 2.34 (libc.so.6
   has only internal entry points then), in libc.so.6 since (libdl.so.2 is
   left empty): hook them in the first of the two that defines them. */
static void
plant_dl_hooks(struct process *p, pid_t tid, const struct solib *l)
{
	struct elf_symbol sym;
	if (!l->elf) {
		error_msg("pid %d: cannot read %s to look for dlopen and dlclose in it",
			  p->pid, l->path);
		return;
	}
	if (!elfsym_find(l->elf, "dlopen", &sym) || sym.from_symtab ||
	    !elfsym_find(l->elf, "dlclose", &sym) || sym.from_symtab) {
		debug_msg("pid %d: no dlopen and dlclose in %s", p->pid, l->path);
		return;
	}
	if (l->ns == 0)
		p->solib.hooks_planted = true;
	p->solib.ns[l->ns].hooks_lm = l->lm;
	hook_function(p, tid, l, "dlopen", BP_DLOPEN);
	hook_function(p, tid, l, "dlclose", BP_DLCLOSE);
	hook_function(p, tid, l, "dlmopen", BP_DLMOPEN);
	if (l->ns)
		debug_msg("pid %d: dlopen and dlclose hooked in %s of namespace %u", p->pid,
			  l->path, l->ns);
	else
		debug_msg("pid %d: dlopen and dlclose hooked in %s", p->pid, l->path);
}

static void
warn_no_dl_hooks(const struct process *p)
{
	static bool warned;
	if (warned)
		return;
	warned = true;
	error_msg("pid %d (%s): libraries are loaded at run time, but no loaded object defines "
		  "dlopen and dlclose (libc.so.6 from glibc 2.34, libdl.so.2 before): their calls "
		  "and the dlclose stacks will not be seen, only the loads and unloads",
		  p->pid, process_name(p));
}

/* What the dynamic linker's r_debug list says of each namespace. */
struct ns_view {
	uint64_t r_map;
	int32_t state;
};

/* Read the r_debug of every namespace through tid: the base's, then (r_version
   2, glibc 2.35+) those chained from it by r_next.  Returns how many could be
   read, 0 if not even the base's; *version is the base's r_version. */
static unsigned int
read_namespaces(struct process *p, pid_t tid, struct ns_view *v, int32_t *version)
{
	struct solib_state *s = &p->solib;
	/* r_version, r_map, r_brk, r_state: one read. */
	uint64_t rd[4];
	if (!mem_read(tid, s->r_debug, rd, sizeof(rd)))
		return 0;
	*version = (int32_t)rd[R_DEBUG_VERSION / 8];
	v[0].r_map = rd[R_DEBUG_MAP / 8];
	v[0].state = (int32_t)rd[R_DEBUG_STATE / 8];
	unsigned int n = 1;
	uint64_t next = 0;
	if (*version >= 2 && !mem_read_u64(tid, s->r_debug + R_DEBUG_NEXT, &next)) {
		error_msg("pid %d: reading r_next of the dynamic linker's r_debug at %#llx "
			  "failed; objects in namespaces other than the base are not seen at "
			  "this event", p->pid, (unsigned long long)s->r_debug);
		next = 0;
	}
	while (next) {
		if (n == SOLIB_MAX_NS) {
			error_msg("pid %d: more than %d link-map namespaces chained from r_debug "
				  "(corrupt?); the rest are not seen", p->pid, SOLIB_MAX_NS);
			break;
		}
		uint64_t w[6];
		if (!mem_read(tid, next, w, sizeof(w))) {
			error_msg("pid %d: reading the r_debug of link-map namespace %u at %#llx "
				  "failed; it and those after it are not seen at this event",
				  p->pid, n, (unsigned long long)next);
			break;
		}
		/* glibc never takes a namespace off the list: its place is its
		   id (dlmopen(LM_ID_NEWLM) takes the lowest free one, and the
		   list is in the order they were first used). */
		if (n >= s->nns || s->ns[n].r_debug != next) {
			s->ns[n].r_debug = next;
			s->ns[n].dirty = true;
		}
		v[n].r_map = w[R_DEBUG_MAP / 8];
		v[n].state = (int32_t)w[R_DEBUG_STATE / 8];
		next = w[R_DEBUG_NEXT / 8];
		n++;
	}
	if (n > s->nns)
		s->nns = n;
	return n;
}

/* The history is known when every namespace's last chain could be read,
   and no namespace is out of sight. */
static void
update_history_known(struct solib_state *s)
{
	s->history_known = !s->ns_unseen;
	for (unsigned int i = 0; i < s->nns; i++)
		if (s->ns[i].lost)
			s->history_known = false;
}

/* Before glibc 2.35 the dynamic linker shows the base namespace only: a
   dlmopen into another one on thread tid loads what we cannot see, and
   what it unloads cannot be cleared of a fault from then on. */
static void
note_namespaces_unseen(struct process *p, pid_t tid, int32_t version)
{
	struct solib_state *s = &p->solib;
	const struct pending_open *o = pending_open_find(s, tid);
	if (version >= 2 || s->ns_unseen || !o || !o->dlmopen || o->lmid == LM_ID_BASE)
		return;
	s->ns_unseen = true;
	debug_msg("pid %d: dlmopen into a namespace other than the base, but the dynamic "
		  "linker's r_debug has r_version %d (no r_debug_extended chain: glibc "
		  "before 2.35): objects in other link-map namespaces are not seen", p->pid,
		  version);
}

/* Why r_debug is read. */
enum rbrk_why {
	RBRK_HIT,		/* r_brk itself */
	RBRK_CATCH_UP_BP,	/* while r_brk's int3 is held out: another breakpoint */
	RBRK_CATCH_UP,		/* ... a stop of another kind (a system call's, a
				   signal's, an event's) */
};

static void
on_rbrk(struct process *p, pid_t tid, struct user_regs_struct *regs, enum rbrk_why why)
{
	struct solib_state *s = &p->solib;
	struct ns_view v[SOLIB_MAX_NS];
	int32_t version = 0;
	/* While r_brk is out, no state change is seen: every consistent
	   namespace is read.  Likewise once, after it is back. */
	bool blind = (why != RBRK_HIT && s->rbrk_holds) || s->rbrk_blind;
	s->rbrk_blind = false;
	unsigned int n = read_namespaces(p, tid, v, &version);
	if (!n) {
		error_msg("pid %d: reading the dynamic linker's r_debug at %#llx failed; this "
			  "library event is lost", p->pid, (unsigned long long)s->r_debug);
		/* Read every namespace again at its next consistent state. */
		for (unsigned int i = 0; i < s->nns; i++) {
			s->ns[i].dirty = true;
			s->ns[i].append_only = false;
		}
		s->history_known = false;
		return;
	}
	/* At RT_ADD and RT_DELETE the chain still shows the old state, and
	   dl-close.c unmaps only after RT_DELETE: RT_CONSISTENT is when to
	   compare, and only a namespace seen changing (or never read) needs
	   to be.  Each namespace has its own r_state. */
	bool changing = false;
	for (unsigned int i = 0; i < n; i++) {
		if (v[i].state == RT_CONSISTENT)
			continue;
		changing = true;
		s->ns[i].dirty = true;
		if (v[i].state == RT_DELETE)
			s->ns[i].append_only = false;
		/* What is about to go is in the snapshot as it is now (RELRO
		   included, see solib_sync): at RT_CONSISTENT its mappings can
		   be taken out without reading the maps.  Read at the first
		   munmap of the dlclose while r_brk is held out, this is still
		   before the dynamic linker unmaps anything. */
		if (v[i].state == RT_DELETE && (s->ns[i].state != RT_DELETE || why == RBRK_HIT)) {
			s->maps_fresh = true;
			closing_save(p, tid);
			if (why != RBRK_HIT && !s->rbrk_forced) {
				s->rbrk_forced = true;
				rbrk_update(p, tid);
			}
		}
	}
	s->changing = changing;
	for (unsigned int i = 0; i < n; i++)
		s->ns[i].state = v[i].state;
	note_namespaces_unseen(p, tid, version);
	/* The base is read at each of its consistent states, as a debugger
	   does: a program may call r_brk itself. */
	bool synced = false, loaded = false;
	for (unsigned int i = 0; i < n; i++) {
		if (v[i].state != RT_CONSISTENT)
			continue;
		if (!s->ns[i].dirty && !blind && (i || why != RBRK_HIT))
			continue;
		bool expected = s->ns[i].dirty;
		bool l = false;
		/* A call injected at another stop than r_brk's could take the
		   place of a system call in flight, and at another breakpoint
		   was seen to leave a thread stopped under load: the signal
		   handler check is for r_brk's stops. */
		s->ns[i].lost = !solib_sync(p, tid, regs->rsp, i, v[i].r_map, expected,
					    why == RBRK_HIT, &l);
		s->ns[i].dirty = s->ns[i].lost;
		s->ns[i].append_only = !s->ns[i].lost;
		synced |= expected;
		loaded |= l;
	}
	/* Namespaces the list did not lead to this time. */
	for (unsigned int i = n; i < s->nns; i++) {
		s->ns[i].dirty = true;
		s->ns[i].append_only = false;
	}
	update_history_known(s);
	/* The unloads were read with the loader lock held: r_brk may go out
	   again for the calls still in flight. */
	if (why == RBRK_HIT && s->rbrk_forced && !changing) {
		s->rbrk_forced = false;
		rbrk_update(p, tid);
	}
	/* A dlopen's objects are in once they are seen; before RT_ADD (an
	   unmap of the dynamic linker's while it maps them) they are not. */
	if ((why == RBRK_HIT && synced) || (why != RBRK_HIT && loaded))
		pending_open_clear(s, tid, false);
}

void
solib_on_attach(struct process *p, pid_t tid)
{
	size_t first = p->timeline.n;
	solib_on_exec(p, tid);
	if (!p->solib.dynamic)
		return;
	struct solib_state *s = &p->solib;
	struct ns_view v[SOLIB_MAX_NS];
	int32_t version = 0;
	unsigned int n = read_namespaces(p, tid, v, &version);
	if (!n) {
		error_msg("pid %d: reading the dynamic linker's r_debug at %#llx failed; the "
			  "libraries loaded before the attach are unknown", p->pid,
			  (unsigned long long)s->r_debug);
		s->history_known = false;
		return;
	}
	/* No chain yet: caught before the dynamic linker started; its first
	   event tells all, as after an exec. */
	if (!v[0].r_map)
		return;
	/* In the middle of a dlopen or dlclose (RT_ADD, RT_DELETE) the chain
	   shows the state before it: its RT_CONSISTENT tells the rest. */
	struct user_regs_struct regs;
	uint64_t sp = ptrace(PTRACE_GETREGS, tid, NULL, &regs) == 0 ? regs.rsp : 0;
	for (unsigned int i = 0; i < n; i++) {
		bool loaded = false;
		s->ns[i].lost = !solib_sync(p, tid, sp, i, v[i].r_map, true, true, &loaded);
		s->ns[i].dirty = s->ns[i].lost || v[i].state != RT_CONSISTENT;
	}
	update_history_known(s);
	for (size_t i = first; i < p->timeline.n; i++)
		if (p->timeline.v[i].kind == TL_LOAD)
			p->timeline.v[i].at_attach = true;
}

/* A return breakpoint for the dlclose tid just entered (its stack pointer
   at the entry is sp, on the return address): its new waiter, or NULL
   (the return address unreadable, no int3 can go there, another kind is
   there, or too many wait). */
static struct ret_waiter *
plant_waiter(struct process *p, pid_t tid, uint64_t sp)
{
	const enum bp_kind kind = BP_DLCLOSE_RET;
	uint64_t ret;
	if (!mem_read_u64(tid, sp, &ret))
		return NULL;
	struct breakpoint *bp = bp_find(&p->bps, ret);
	if (bp && bp->kind != kind)
		return NULL;
	if (!bp)
		bp = bp_insert(&p->bps, tid, ret, kind);
	if (!bp || bp->nwaiters == BP_MAX_WAITERS)
		return NULL;
	struct ret_waiter *w = &bp->waiters[bp->nwaiters++];
	memset(w, 0, sizeof(*w));
	w->tid = tid;
	w->sp = sp + 8;
	return w;
}

/* Whether a call may hold r_brk's int3 out: its events are then seen at
   other stops, which the unmap watch makes. */
static bool
rbrk_holdable(struct process *p)
{
	return unmapwatch_active(p) && bp_find(&p->bps, p->solib.rbrk);
}

/* Whether a dlopen may: what it loaded is then read at the next stop of
   any kind, which comes at the latest at exit_group (not with --gdb: a
   dlopen followed by _exit would make no stop at all). */
static bool
rbrk_holdable_to_next_stop(struct process *p)
{
	return rbrk_holdable(p) && unmapwatch_stops_at_exit();
}

/* One more dlopen of the loaded object l: one more reference (and with
   RTLD_NODELETE, glibc makes the object NODELETE now). */
static void
count_reopen(struct solib *l, int flags)
{
	l->dlopen_calls++;
	if (flags & RTLD_NODELETE)
		l->dlopen_flags = l->dlopen_flags < 0 ? flags : l->dlopen_flags | RTLD_NODELETE;
}

/* dlopen(file, mode), or dlmopen(lmid, file, mode). */
static void
on_dlopen(struct process *p, pid_t tid, struct user_regs_struct *regs, bool mopen)
{
	char name[PATH_MAX];
	const char *path = NULL;
	uint64_t file = mopen ? regs->rsi : regs->rdi;
	if (file && mem_read_string(tid, file, name, sizeof(name)))
		path = name;
	stats.dlopen_calls++;
	struct tl_event *e = timeline_add(&p->timeline, TL_DLOPEN, tid,
					  path ? path : "(main program)");
	e->flags = (int)(mopen ? regs->rdx : regs->rsi);
	struct solib_state *s = &p->solib;
	/* The namespace it opens in: dlmopen's lmid (a new one for
	   LM_ID_NEWLM); dlopen's is the caller's, taken to be that of the
	   libc whose dlopen was called. */
	long ns = 0;
	if (mopen) {
		e->dlmopen = true;
		e->lmid = (long)regs->rdi;
		ns = e->lmid;
	} else {
		const struct solib *in = solib_find_addr(s, regs->rip);
		e->ns = in ? in->ns : 0;
		ns = e->ns;
	}
	/* Already loaded: this call only takes one more reference (and with
	   RTLD_NODELETE, glibc makes the object NODELETE now). */
	for (size_t i = 0; path && ns >= 0 && i < s->n; i++)
		if (s->libs[i].ns == (unsigned long)ns && !s->libs[i].alias &&
		    names_object(&s->libs[i], path)) {
			count_reopen(&s->libs[i], e->flags);
			return;
		}
	pending_open_clear(s, tid, false);
	s->opens = xgrow(s->opens, &s->capopens, s->nopens + 1, sizeof(*s->opens));
	s->opens[s->nopens].tid = tid;
	s->opens[s->nopens].flags = e->flags;
	s->opens[s->nopens].path = path ? xstrdup(path) : NULL;
	s->opens[s->nopens].dlmopen = mopen;
	s->opens[s->nopens].lmid = mopen ? e->lmid : 0;
	s->opens[s->nopens].event = e->id;
	s->opens[s->nopens].mapped = false;
	/* With the unmap watch on, the next stop says what it loaded,
	   instead of r_brk at RT_ADD and RT_CONSISTENT (see rbrk_update). */
	s->opens[s->nopens].holds = rbrk_holdable_to_next_stop(p);
	s->opens[s->nopens].sp = regs->rsp;
	if (s->opens[s->nopens].holds)
		s->rbrk_holds++;
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
	if (l) {
		l->dlclose_calls++;
		e->ns = l->ns;
	}
	/* The caller's stack is read now, while it is still the caller's,
	   from the registers with the pc back on the breakpoint. */
	symbolize_stack(p, tid, regs, &e->stack);

	/* Stop again when this call returns, to tell whether it unloaded. */
	struct ret_waiter *w = plant_waiter(p, tid, regs->rsp);
	if (!w)
		return;
	w->ref = id;
	w->handle = handle;
	/* With the unmap watch on, its first munmap and its return say what
	   r_brk at RT_DELETE and RT_CONSISTENT would have. */
	if (rbrk_holdable(p)) {
		w->holds_rbrk = true;
		rbrk_hold(p, tid);
	}
}

/* dlclose returned and the library is still mapped: say why, and when
   nothing but a pin holds it, look for what still points into it.  A
   dlclose made while another runs on the thread, with nothing to hold its
   library, is only deferred (deferred.h), when may_defer. */
static void
on_kept(struct process *p, pid_t tid, const struct solib *l, unsigned int dlclose_event,
	const struct user_regs_struct *regs, bool may_defer)
{
	struct pin_reasons why;
	pin_explain(p, tid, l, &why);
	bool held = pin_is_held(&why);
	unsigned int outer = !held && may_defer ?
			     deferred_note(p, tid, regs->rsp, l->lm, dlclose_event) : 0;
	const struct tl_event *oe = outer ? timeline_find(&p->timeline, outer) : NULL;
	struct tl_event *e = solib_event(p, TL_DLCLOSE_KEPT, tid, l);
	e->ref = dlclose_event;
	e->status = (int)regs->rax;
	e->outer_ref = outer;
	if (oe)
		e->note = xasprintf("unload deferred to the end of the outer dlclose at %.3f ms "
				    "(glibc unloads what a destructor dlcloses after the outer "
				    "dlclose's own unloads)", oe->t * 1e3);
	else
		e->note = pin_describe(&why);
	unsigned int kept_event = e->id;
	if (!outer && pin_is_pinned(&why) && !why.open_handles) {
		const struct tl_event *ke = timeline_find(&p->timeline, kept_event);
		struct latent_target t = {
			.path = l->file ? l->file : l->path, .elf = l->elf, .l_addr = l->l_addr,
			.start = l->start, .end = l->end, .pinned = true,
			.pin_note = ke->note, .event = kept_event,
			.dlclose_event = dlclose_event,
		};
		latent_check(p, tid, regs->rsp, &t, 1, true);
	}
	pin_reasons_free(&why);
}

/* The outer dlclose returned and a library whose unload was deferred to
   it is still mapped: kept after all, for the reasons there are. */
static void
on_deferred_kept(struct process *p, const struct deferred_close *d, void *arg)
{
	const struct solib *l = solib_find_handle(&p->solib, d->handle);
	if (l)
		on_kept(p, d->tid, l, d->dlclose_event, arg, false);
}

/* The waiter of bp for this return of tid (a deeper recursion returning
   to the same place is not it), or -1. */
static int
waiter_of(const struct breakpoint *bp, pid_t tid, uint64_t sp)
{
	for (unsigned int k = 0; k < bp->nwaiters; k++)
		if (bp->waiters[k].tid == tid && bp->waiters[k].sp == sp)
			return (int)k;
	return -1;
}

static void
on_dlclose_return(struct process *p, pid_t tid, struct breakpoint *bp,
		  struct user_regs_struct *regs)
{
	uint64_t addr = bp->addr;
	/* What it unloaded first, as RT_CONSISTENT would have told (which
	   also lets go of the waiter when its library went). */
	if (waiter_of(bp, tid, regs->rsp) >= 0 && p->solib.rbrk_holds) {
		on_rbrk(p, tid, regs, RBRK_CATCH_UP_BP);
		bp = bp_find(&p->bps, addr);
		if (!bp)
			return;
	}
	int k = waiter_of(bp, tid, regs->rsp);
	if (k >= 0) {
		const struct ret_waiter *w = &bp->waiters[k];
		unsigned int ref = w->ref;
		const struct solib *l = solib_find_handle(&p->solib, w->handle);
		waiter_remove(p, tid, bp, (unsigned int)k);
		if (l)
			on_kept(p, tid, l, ref, regs, true);
		deferred_outer_returned(p, ref, on_deferred_kept, regs);
		return;
	}
	/* Nobody is on the way back here: take the int3 out. */
	if (!bp->nwaiters)
		bp_remove(&p->bps, tid, addr);
}

/* A namespace may have changed since its chain was last read: r_brk was
   out when it became consistent again, or is about to be hit.  Only where
   r_brk is ever taken out (the unmap watch on): elsewhere r_brk alone
   tells, as it does before the start-up libraries are in. */
static bool
unsynced(const struct process *p)
{
	const struct solib_state *s = &p->solib;
	if (!unmapwatch_active(p))
		return false;
	if (s->rbrk_blind)
		return true;
	for (unsigned int i = 0; s->started && i < s->nns; i++)
		if (s->ns[i].dirty)
			return true;
	return false;
}

/* At a stop of tid other than r_brk's (regs: its registers, or NULL to
   read them): what changed while r_brk was out, then the calls of tid
   seen returned let go of it.  The int3 is left as it was: the caller
   puts it as the calls in flight want it (rbrk_update). */
static void
catch_up(struct process *p, pid_t tid, struct user_regs_struct *regs,
	 enum rbrk_why why)
{
	struct solib_state *s = &p->solib;
	if (!s->rbrk_holds && !unsynced(p))
		return;
	struct user_regs_struct own;
	if (!regs) {
		if (ptrace(PTRACE_GETREGS, tid, NULL, &own) < 0)
			return;
		regs = &own;
	}
	on_rbrk(p, tid, regs, why);
	pending_open_returned(s, tid, regs->rsp);
}

void
solib_catch_up(struct process *p, pid_t tid)
{
	catch_up(p, tid, NULL, RBRK_CATCH_UP);
	/* A thread that held it out may have ended while no thread could
	   put it back. */
	rbrk_update(p, tid);
}

void
solib_thread_gone(struct process *p, pid_t tid)
{
	struct solib_state *s = &p->solib;
	pending_open_clear(s, tid, true);
	/* Its int3s stay (no thread of p is stopped to take them out): whoever
	   hits one next finds nobody waiting, and takes it out. */
	for (size_t i = 0; i < p->bps.n; i++) {
		struct breakpoint *bp = &p->bps.v[i];
		for (unsigned int k = 0; k < bp->nwaiters;) {
			if (bp->waiters[k].tid != tid) {
				k++;
				continue;
			}
			/* r_brk goes back in at the next stop (catch_up). */
			if (bp->waiters[k].holds_rbrk && s->rbrk_holds)
				s->rbrk_holds--;
			bp->waiters[k] = bp->waiters[--bp->nwaiters];
		}
	}
}

void
solib_on_breakpoint(struct process *p, pid_t tid, struct breakpoint *bp,
		    struct user_regs_struct *regs)
{
	struct solib_state *s = &p->solib;
	/* A call made while another holds r_brk out (from a constructor or a
	   destructor, or on another thread) comes after what that one did so
	   far. */
	bool entry = bp->kind == BP_DLOPEN || bp->kind == BP_DLMOPEN || bp->kind == BP_DLCLOSE;
	if (entry && (s->rbrk_holds || unsynced(p))) {
		uint64_t addr = bp->addr;
		drop_stale_waiters(p, tid, regs->rsp);
		catch_up(p, tid, regs, RBRK_CATCH_UP_BP);
		bp = bp_find(&p->bps, addr);
		if (!bp) {
			rbrk_update(p, tid);
			return;
		}
	}
	switch (bp->kind) {
	case BP_RBRK:
		on_rbrk(p, tid, regs, RBRK_HIT);
		break;
	case BP_DLOPEN:
	case BP_DLMOPEN:
		on_dlopen(p, tid, regs, bp->kind == BP_DLMOPEN);
		break;
	case BP_DLCLOSE:
		on_dlclose(p, tid, regs);
		break;
	case BP_DLCLOSE_RET:
		on_dlclose_return(p, tid, bp, regs);
		break;
	}
	/* Once per stop, so that a dlopen after another one keeps r_brk out
	   without putting its int3 back in between. */
	if (!entry)
		pending_open_returned(s, tid, regs->rsp);
	rbrk_update(p, tid);
}
