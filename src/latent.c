#include "config.h"
#include "latent.h"
#include "allocator.h"
#include "basename.h"
#include "demangle.h"
#include "elfsym.h"
#include "error.h"
#include "finding.h"
#include "heap.h"
#include "writable.h"
#include "mem.h"
#include "quote.h"
#include "scan.h"
#include "sighand.h"
#include "symbolize.h"
#include "threadstop.h"
#include "tracee.h"
#include "unmapwatch.h"
#include "unwind.h"
#include "xmalloc.h"

#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

enum ref_kind {
	REF_DATA,		/* a plain data pointer: no evidence of use */
	REF_VTABLE,		/* a vtable address point: a live object's vptr */
	REF_FUNCTION,		/* the start of a function: a function pointer */
	REF_OBJECT,		/* the start of a data object the library defines */
};

struct ref {
	uint64_t where, value;
	enum ref_kind kind;
	char *symbol;		/* demangled */
	struct chunk_info chunk;
	const struct map_entry *map;
	bool stack;		/* on some thread's stack */
	bool possible;		/* live by the evidence, but the allocator cannot say */
	bool other_arena;	/* in a heap of one of glibc's other arenas */
};

/* Symbols the linker (or crt files) make, not objects of the program's:
   glibc's own bookkeeping (the exit list's dso handles, for one) points
   at some of them after a clean unload. */
static bool
linker_made(const char *name)
{
	static const char *const names[] = {
		"_DYNAMIC", "__dso_handle", "_GLOBAL_OFFSET_TABLE_", "__bss_start", "_edata",
		"_end", "__TMC_END__", "__TMC_LIST__", "__FRAME_END__", "__GNU_EH_FRAME_HDR",
		"__data_start", "data_start", "__ehdr_start", "__executable_start",
		"__init_array_start", "__init_array_end", "__fini_array_start",
		"__fini_array_end", "__preinit_array_start", "__preinit_array_end",
		"__JCR_LIST__", "__JCR_END__", "__CTOR_LIST__", "__CTOR_END__", "__DTOR_LIST__",
		"__DTOR_END__", "__EH_FRAME_BEGIN__", "__do_global_dtors_aux_fini_array_entry",
		"__frame_dummy_init_array_entry", "_IO_stdin_used",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	/* crtstuff.c's statics (completed.0, object.2, dtor_idx.1) */
	return strncmp(name, "completed.", 10) == 0 || strncmp(name, "object.", 7) == 0 ||
	       strncmp(name, "dtor_idx.", 9) == 0;
}

/* What a word pointing at vaddr (link-time, in elf) refers to. */
static enum ref_kind
classify(struct elf_file *elf, uint64_t vaddr, char **symbol)
{
	struct elf_symbol sym;
	*symbol = NULL;
	if (!elf || !elfsym_lookup(elf, vaddr, &sym))
		return REF_DATA;
	uint64_t off = vaddr - sym.value;
	if (strncmp(sym.name, "_ZTV", 4) == 0 && off >= 16 && !(off & 7)) {
		/* The primary address point follows offset-to-top and the
		   typeinfo pointer; a secondary one also has a typeinfo
		   pointer just before it. */
		struct elf_symbol ti;
		if (off == 16 || (elfsym_resolve_word(elf, vaddr - 8, &ti) && ti.name &&
				  strncmp(ti.name, "_ZTI", 4) == 0)) {
			*symbol = demangle(sym.name);
			return REF_VTABLE;
		}
	}
	if (sym.type == STT_FUNC && off == 0) {
		*symbol = demangle(sym.name);
		return REF_FUNCTION;
	}
	/* Vtables, typeinfo and their names are not objects of the program's. */
	if (sym.type == STT_OBJECT && off == 0 && sym.size && strncmp(sym.name, "_ZT", 3) != 0 &&
	    !linker_made(sym.name)) {
		*symbol = demangle(sym.name);
		return REF_OBJECT;
	}
	return REF_DATA;
}

static char *
class_of_vtable(struct elf_file *elf, uint64_t vaddr)
{
	char *sym;
	if (classify(elf, vaddr, &sym) != REF_VTABLE) {
		free(sym);
		return NULL;
	}
	static const char prefix[] = "vtable for ";
	if (strncmp(sym, prefix, sizeof(prefix) - 1) == 0)
		memmove(sym, sym + sizeof(prefix) - 1, strlen(sym) - sizeof(prefix) + 2);
	return sym;
}

/* The class of the library's object at addr, when its first word is a
   vptr into the library: read from the copy of its data made before the
   dynamic linker unmapped it, from memory when it is still mapped, or
   from the file when the word is set at load time (a relocation). */
static char *
object_class(pid_t tid, const struct latent_target *t, uint64_t addr)
{
	uint64_t word;
	bool have = false;
	const struct latent_data *d = t->data;
	if (d && addr >= d->start && addr - d->start + 8 <= d->len) {
		memcpy(&word, d->bytes + (addr - d->start), 8);
		have = true;
	} else if (t->pinned) {
		have = mem_read_u64(tid, addr, &word);
	}
	if (have)
		return word >= t->start && word < t->end ? class_of_vtable(t->elf, word - t->l_addr)
							 : NULL;
	struct elf_symbol target;
	if (elfsym_resolve_word(t->elf, addr - t->l_addr, &target) && target.value)
		return class_of_vtable(t->elf, target.value);
	return NULL;
}

static bool
is_heap(const struct map_entry *m)
{
	return m && m->path && strcmp(m->path, "[heap]") == 0;
}

static bool
is_main_stack(const struct map_entry *m)
{
	return m && m->path && strncmp(m->path, "[stack", 6) == 0;
}

/* glibc puts a thread's stack in an anonymous mapping right above its
   guard page (anonymous, no access); heap arenas have theirs above. */
static bool
is_thread_stack(const struct maps_snapshot *maps, const struct map_entry *m)
{
	if (!m || m->path || m == maps->v)
		return false;
	const struct map_entry *below = m - 1;
	return !below->path && below->end == m->start && strcmp(below->perms, "---p") == 0;
}

/* Memory an allocator hands out: glibc's main heap, or anonymous memory
   (other allocators' arenas, glibc's other arenas) that is no stack. */
static bool
is_malloc_memory(const struct ref *r)
{
	return is_heap(r->map) || (r->map && !r->stack && !map_entry_is_file(r->map) &&
				   (!r->map->path || strncmp(r->map->path, "[anon", 5) == 0));
}

static char *
describe_place(const struct ref *r)
{
	const struct map_entry *m = r->map;
	/* Never an offset outside the block it names. */
	if (is_heap(m) && r->chunk.state == CHUNK_ALLOCATED && r->where >= r->chunk.user &&
	    r->where - r->chunk.user < r->chunk.size) {
		if (r->where == r->chunk.user)
			return xasprintf("heap, at the start of an allocated %llu-byte block",
					 (unsigned long long)r->chunk.size);
		return xasprintf("heap, +%#llx into an allocated %llu-byte block at %#llx",
				 (unsigned long long)(r->where - r->chunk.user),
				 (unsigned long long)r->chunk.size, (unsigned long long)r->chunk.user);
	}
	if (is_heap(m))
		return xstrdup("heap");
	if (r->stack)
		return xstrdup("a thread's stack");
	if (m && map_entry_is_file(m))
		return xasprintf("data of %s", path_basename(m->path));
	return xstrdup("anonymous memory");
}

/* Only references with evidence count: a vptr or a function pointer, in
   memory that is not known to be free.  Stack slots are reused by every
   call (and glibc keeps the stacks of exited threads), so what a dead
   frame left there proves nothing. */
static bool
is_live(const struct ref *r)
{
	/* A pointer to an object is plain data but in a block of the heap
	   known to be allocated. */
	if (r->kind == REF_OBJECT)
		return is_heap(r->map) && r->chunk.state == CHUNK_ALLOCATED;
	return r->kind != REF_DATA && r->chunk.state != CHUNK_FREE && !r->stack;
}

/* The dynamic linker's own struct link_map of each loaded object is a heap
   block, whose symbol lookup cache points at what it last bound: objects
   of the library too, when it is kept mapped.  Not the program's. */
static bool
in_link_map(const struct process *p, const struct chunk_info *c)
{
	for (size_t i = 0; i < p->solib.n; i++)
		if (p->solib.libs[i].lm >= c->user && p->solib.libs[i].lm < c->user + c->size)
			return true;
	return false;
}

/* The hits in a heap of one of glibc's other arenas (a thread's malloc):
   its chunks walked like the main heap's, and refs[i].other_arena set.
   What the walk finds free is no evidence; what it finds allocated may
   still be free (a fastbin, another thread's tcache). */
static void
classify_other_arenas(pid_t tid, struct ref *refs, size_t n)
{
	for (size_t i = 0; i < n;) {
		const struct map_entry *m = refs[i].map;
		size_t j = i + 1;
		/* Hits come in address order: one run per mapping. */
		while (j < n && refs[j].map == m)
			j++;
		uint64_t first, end;
		if (!m || m->path || refs[i].stack ||
		    !heap_other_arena(tid, m->start, m->end, &first, &end)) {
			i = j;
			continue;
		}
		for (size_t k = i; k < j; k++)
			refs[k].other_arena = true;
		if (first) {
			uint64_t *addrs = xmalloc((j - i) * sizeof(*addrs));
			struct chunk_info *info = xmalloc((j - i) * sizeof(*info));
			for (size_t k = i; k < j; k++)
				addrs[k - i] = refs[k].where;
			heap_classify(tid, first, end, addrs, j - i, info);
			for (size_t k = i; k < j; k++)
				refs[k].chunk = info[k - i];
			free(addrs);
			free(info);
		}
		i = j;
	}
}

/* A latent finding about t, with what every kind has. */
static struct finding *
latent_finding_new(struct process *p, pid_t tid, const struct latent_target *t,
		   enum latent_kind kind)
{
	struct finding *f = finding_new(FINDING_LATENT, p, tid);
	f->latent_kind = kind;
	f->blames_library = true;
	f->pinned = t->pinned;
	f->pin_note = t->pin_note ? xstrdup(t->pin_note) : NULL;
	f->library = xstrdup(t->path);
	const char *bid = t->elf ? elfsym_build_id(t->elf) : NULL;
	f->library_build_id = bid ? xstrdup(bid) : NULL;
	f->lib_start = t->start;
	f->lib_end = t->end;
	f->dlclose_event = t->dlclose_event;
	f->unload_event = t->event;
	f->category = xstrdup(t->pinned ? "latent-pinned" : "latent-unloaded");
	return f;
}

/* The words the scan found pointing into t (sr, in the writable memory
   maps): a finding about those that may be live.  Returns how many are. */
static unsigned int
judge_hits(struct process *p, pid_t tid, const struct maps_snapshot *maps,
	   const struct latent_target *t, const struct scan_result *sr_in)
{
	if (!sr_in->n)
		return 0;
	const struct scan_result sr = *sr_in;
	struct ref *refs = xcalloc(sr.n, sizeof(*refs));
	size_t nheap = 0;
	uint64_t heap_lo = 0, heap_hi = 0;
	for (size_t i = 0; i < sr.n; i++) {
		struct ref *r = &refs[i];
		r->where = sr.hits[i].where;
		r->value = sr.hits[i].value;
		r->map = maps_snapshot_find(maps, r->where);
		r->stack = is_main_stack(r->map) || is_thread_stack(maps, r->map);
		r->kind = classify(t->elf, r->value - t->l_addr, &r->symbol);
		if (is_heap(r->map)) {
			nheap++;
			heap_lo = r->map->start;
			heap_hi = r->map->end;
		}
	}
	classify_other_arenas(tid, refs, sr.n);
	/* Hits come in address order: the heap's are one sorted run. */
	if (nheap) {
		uint64_t *addrs = xmalloc(nheap * sizeof(*addrs));
		struct chunk_info *info = xmalloc(nheap * sizeof(*info));
		size_t k = 0;
		for (size_t i = 0; i < sr.n; i++)
			if (is_heap(refs[i].map))
				addrs[k++] = refs[i].where;
		heap_classify(tid, heap_lo, heap_hi, addrs, nheap, info);
		k = 0;
		for (size_t i = 0; i < sr.n; i++)
			if (is_heap(refs[i].map))
				refs[i].chunk = info[k++];
		free(addrs);
		free(info);
	}

	/* Under another allocator the heap walk knows nothing: a vptr in
	   malloc'd memory may be a freed object's (jemalloc leaves them
	   there).  Reported, but not as a verdict. */
	const struct allocator *alloc = allocator_of(p);
	unsigned int live = 0, possible = 0, weak = (unsigned int)sr.dropped;
	unsigned int other_arenas = 0;
	for (size_t i = 0; i < sr.n; i++) {
		if (refs[i].kind == REF_OBJECT && refs[i].chunk.state == CHUNK_ALLOCATED &&
		    in_link_map(p, &refs[i].chunk))
			refs[i].chunk.state = CHUNK_UNKNOWN;
		if (!is_live(&refs[i])) {
			weak++;
			continue;
		}
		/* In another arena of glibc's, a block the walk found
		   allocated may still be a freed one. */
		bool other_arena = alloc->heap_walkable && refs[i].other_arena;
		refs[i].possible = (!alloc->heap_walkable && is_malloc_memory(&refs[i])) ||
				   other_arena;
		if (refs[i].possible)
			possible++;
		else
			live++;
		if (other_arena)
			other_arenas++;
	}
	if (live || possible) {
		struct finding *f = latent_finding_new(p, tid, t, LATENT_REFERENCES);
		f->weak_refs = weak;
		f->possible = !live;
		if (possible && other_arenas)
			f->possible_reason = xstrdup("in another arena of glibc's malloc (a thread's), "
						     "where a block that looks allocated may be a freed "
						     "one (in a fastbin, or another thread's tcache)");
		else if (possible)
			f->possible_reason = xstrdup(alloc->reason);
		const char *lib = path_basename(t->path);
		if (!live && t->pinned)
			f->verdict = xasprintf("possible latent use after dlclose: %s stayed mapped "
					       "after its last dlclose, and %u reference%s that may "
					       "be live still point%s into it", lib, possible,
					       possible > 1 ? "s" : "", possible > 1 ? "" : "s");
		else if (!live)
			f->verdict = xasprintf("possible latent use after dlclose: %u reference%s "
					       "that may be live still point%s into %s, which was "
					       "just unloaded", possible, possible > 1 ? "s" : "",
					       possible > 1 ? "" : "s", lib);
		else if (t->pinned)
			f->verdict = xasprintf("latent use after dlclose: %s stayed mapped after its "
					       "last dlclose, and %u live reference%s still point%s "
					       "into it", lib, live, live > 1 ? "s" : "",
					       live > 1 ? "" : "s");
		else
			f->verdict = xasprintf("latent use after dlclose: %u live reference%s still "
					       "point%s into %s, which was just unloaded", live,
					       live > 1 ? "s" : "", live > 1 ? "" : "s", lib);
		f->refs = xcalloc(live + possible, sizeof(*f->refs));
		/* The definite ones first. */
		for (int pass = 0; pass < 2; pass++)
			for (size_t i = 0; i < sr.n; i++) {
				struct ref *r = &refs[i];
				if (!is_live(r) || r->possible != (pass == 1))
					continue;
				struct finding_ref *fr = &f->refs[f->nrefs++];
				fr->where = r->where;
				fr->value = r->value;
				fr->kind = r->kind == REF_VTABLE ? FREF_VPTR :
					   r->kind == REF_OBJECT ? FREF_OBJECT : FREF_FUNCTION;
				if (r->kind == REF_OBJECT && t->elf)
					fr->object_class = object_class(tid, t, r->value);
				fr->possible = r->possible;
				fr->symbol = r->symbol;
				r->symbol = NULL;
				fr->place = describe_place(r);
			}
		finding_publish(f);
	}
	for (size_t i = 0; i < sr.n; i++)
		free(refs[i].symbol);
	free(refs);
	return live;
}

static unsigned int
check_memory(struct process *p, pid_t tid, uint64_t sp, const struct latent_target *t)
{
	/* The writable memory as it is now: library events no longer read
	   the maps, and anonymous memory comes and goes between them. */
	struct maps_snapshot now;
	const struct maps_snapshot *maps = writable_mappings(p, tid, &now);
	struct scan_result sr;
	scan_process(tid, procfd_pagemap(&p->procfds, tid), maps, t->start, t->end,
		     t->pinned ? t->start : 0, t->pinned ? t->end : 0, sp, &sr);
	unsigned int live = judge_hits(p, tid, maps, t, &sr);
	scan_result_free(&sr);
	maps_snapshot_free(&now);
	return live;
}

static int
range_cmp(const void *a, const void *b)
{
	const struct scan_target *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Several libraries gone in one unload (a plugin and the libraries only
   it needed): their memory is read once for all of them, and each gets
   its own hits.  False (nothing done) when one is pinned (its own data is
   still mapped, to be left out) or they overlap. */
static bool
check_memory_together(struct process *p, pid_t tid, uint64_t sp, const struct latent_target *t,
		      size_t n, unsigned int *live)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].pinned)
			return false;
	struct scan_target *r = xcalloc(n, sizeof(*r));
	for (size_t i = 0; i < n; i++) {
		r[i].lo = t[i].start;
		r[i].hi = t[i].end;
	}
	qsort(r, n, sizeof(*r), range_cmp);
	for (size_t i = 1; i < n; i++)
		if (r[i].lo < r[i - 1].hi) {
			free(r);
			return false;
		}
	struct maps_snapshot now;
	const struct maps_snapshot *maps = writable_mappings(p, tid, &now);
	struct scan_result all;
	scan_process_ranges(tid, procfd_pagemap(&p->procfds, tid), maps, r, n, sp, &all);
	struct scan_result mine = { .hits = xcalloc(all.n ? all.n : 1, sizeof(*all.hits)) };
	for (size_t i = 0; i < n; i++) {
		mine.n = 0;
		for (size_t k = 0; k < all.n; k++)
			if (all.hits[k].value >= t[i].start && all.hits[k].value < t[i].end)
				mine.hits[mine.n++] = all.hits[k];
		/* Hits beyond the cap belong to no one in particular: the
		   first library counts them. */
		mine.dropped = i ? 0 : all.dropped;
		*live += judge_hits(p, tid, maps, &t[i], &mine);
	}
	scan_result_free(&mine);
	scan_result_free(&all);
	maps_snapshot_free(&now);
	free(r);
	return true;
}

/* ---- Threads in the library's code ---- */

struct thread_walk {
	pid_t tid;
	uint64_t pcs[UNWIND_MAX_FRAMES];
	size_t n;
};

static char *
thread_name(pid_t pid, pid_t tid)
{
	char path[64], buf[64] = "";
	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid, (int)tid);
	FILE *f = fopen(path, "re");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	return xstrdup(buf[0] ? buf : "?");
}

static const char *
plural(size_t n, const char *one, const char *more)
{
	return n == 1 ? one : more;
}

static unsigned int
report_threads(struct process *p, pid_t tid, const struct latent_target *t,
	       const struct thread_walk *w, size_t nw)
{
	struct finding *f = NULL;
	for (size_t i = 0; i < nw; i++) {
		size_t k = 0;
		while (k < w[i].n && (w[i].pcs[k] < t->start || w[i].pcs[k] >= t->end))
			k++;
		if (k == w[i].n)
			continue;
		if (!f)
			f = latent_finding_new(p, tid, t, LATENT_THREADS);
		f->threads = xrealloc(f->threads, (f->nthreads + 1) * sizeof(*f->threads));
		struct finding_thread *ft = &f->threads[f->nthreads++];
		memset(ft, 0, sizeof(*ft));
		ft->tid = w[i].tid;
		ft->name = thread_name(p->pid, w[i].tid);
		ft->at_pc = k == 0;
		ft->first = k;
		symbolize_pcs(p, w[i].pcs, w[i].n, 1, &ft->stack);
		ft->stack.truncated = w[i].n == UNWIND_MAX_FRAMES;
	}
	if (!f)
		return 0;
	const char *lib = path_basename(t->path);
	char who[160];
	char name[64];
	if (f->nthreads == 1)
		snprintf(who, sizeof(who), "thread %d (%s) is", f->threads[0].tid,
			 quote_string(f->threads[0].name, name, sizeof(name)));
	else
		snprintf(who, sizeof(who), "%zu threads are", f->nthreads);
	if (t->pinned)
		f->verdict = xasprintf("latent use after dlclose: %s stayed mapped after its last "
				       "dlclose, and %s still in its code", lib, who);
	else
		f->verdict = xasprintf("latent use after dlclose: %s still in the code of %s, "
				       "which was just unloaded", who, lib);
	finding_publish(f);
	return (unsigned int)f->nthreads;
}

/* Whether tid made the dlclose behind the n targets, and the stack walked
   at its entry is whole and has no frame in any of them. */
static bool
entry_stack_clear(const struct process *p, pid_t tid, const struct latent_target *t, size_t n)
{
	const struct tl_event *dlc = n && t[0].dlclose_event ?
				     timeline_find(&p->timeline, t[0].dlclose_event) : NULL;
	if (!dlc || dlc->tid != tid || !dlc->stack.n || dlc->stack.truncated ||
	    dlc->stack.stopped_unloaded)
		return false;
	for (size_t k = 0; k < dlc->stack.n; k++)
		for (size_t i = 0; i < n; i++)
			if (dlc->stack.v[k].pc >= t[i].start && dlc->stack.v[k].pc < t[i].end)
				return false;
	return true;
}

/* Every thread's stack, walked once for all the targets: a pc, or a
   return address, in a library is a thread that will run its code. */
static unsigned int
check_threads(struct process *p, pid_t tid, const struct latent_target *t, size_t n)
{
	struct stopped_threads st;
	threadstop_all(p, tid, &st);
	struct thread_walk *w = xcalloc(st.n + 1, sizeof(*w));
	size_t nw = 0;
	/* The thread being handled first, unless it is the one whose dlclose
	   did the unload and the stack walked at that call's entry has no
	   frame in these libraries: its stack now is that one's callers (or
	   an outer dlclose's, for a deferred unload) plus the dynamic
	   linker's own frames, none in them either. */
	struct user_regs_struct regs;
	if (!entry_stack_clear(p, tid, t, n) && ptrace(PTRACE_GETREGS, tid, NULL, &regs) == 0) {
		/* With its pc back on our int3. */
		if (bp_find(&p->bps, regs.rip - 1))
			regs.rip--;
		w[nw].tid = tid;
		w[nw].n = unwind_thread_walk(p->pid, tid, &regs, w[nw].pcs, UNWIND_MAX_FRAMES);
		nw++;
	}
	for (size_t i = 0; i < st.n; i++) {
		w[nw].tid = st.v[i].tid;
		w[nw].n = unwind_thread_walk(p->pid, st.v[i].tid, &st.v[i].regs, w[nw].pcs,
					     UNWIND_MAX_FRAMES);
		nw++;
	}
	threadstop_resume(&st);
	unsigned int found = 0;
	for (size_t i = 0; i < n; i++)
		found += report_threads(p, tid, &t[i], w, nw);
	free(w);
	return found;
}

/* ---- Signal handlers in the library ---- */

static char *
code_symbol(const struct latent_target *t, uint64_t addr)
{
	struct elf_symbol sym;
	if (!t->elf || !elfsym_lookup(t->elf, addr - t->l_addr, &sym))
		return xasprintf("%#llx", (unsigned long long)addr);
	char *name = demangle(sym.name);
	uint64_t off = addr - t->l_addr - sym.value;
	if (!off)
		return name;
	char *s = xasprintf("%s+%#llx", name, (unsigned long long)off);
	free(name);
	return s;
}

static unsigned int
check_handlers(struct process *p, pid_t tid, const struct latent_target *t, size_t n)
{
	struct sig_handler h[64];
	size_t nh = sighand_read_all(p, tid, unmapwatch_active(p), h);
	unsigned int found = 0;
	for (size_t i = 0; i < n; i++) {
		struct finding *f = NULL;
		for (size_t k = 0; k < nh; k++) {
			bool handler_in = h[k].handler >= t[i].start && h[k].handler < t[i].end;
			bool restorer_in = h[k].restorer >= t[i].start && h[k].restorer < t[i].end;
			if (!handler_in && !restorer_in)
				continue;
			if (!f)
				f = latent_finding_new(p, tid, &t[i], LATENT_HANDLERS);
			f->handlers = xrealloc(f->handlers,
					       (f->nhandlers + 1) * sizeof(*f->handlers));
			struct finding_handler *fh = &f->handlers[f->nhandlers++];
			fh->sig = h[k].sig;
			fh->handler = h[k].handler;
			fh->restorer = h[k].restorer;
			fh->handler_in = handler_in;
			fh->symbol = code_symbol(&t[i], handler_in ? h[k].handler : h[k].restorer);
		}
		if (!f)
			continue;
		const char *lib = path_basename(t[i].path);
		char sigs[256] = "";
		for (size_t k = 0; k < f->nhandlers && strlen(sigs) < 200; k++)
			snprintf(sigs + strlen(sigs), sizeof(sigs) - strlen(sigs), "%sSIG%s",
				 k ? ", " : "", sigabbrev_np(f->handlers[k].sig) ?
				 sigabbrev_np(f->handlers[k].sig) : "?");
		const char *what = plural(f->nhandlers, "the handler of", "the handlers of");
		if (t[i].pinned)
			f->verdict = xasprintf("latent use after dlclose: %s stayed mapped after its "
					       "last dlclose, and %s %s %s in its code", lib, what,
					       sigs, plural(f->nhandlers, "is", "are"));
		else
			f->verdict = xasprintf("latent use after dlclose: %s %s %s in the code of "
					       "%s, which was just unloaded", what, sigs,
					       plural(f->nhandlers, "is", "are"), lib);
		finding_publish(f);
		found += (unsigned int)f->nhandlers;
	}
	return found;
}

unsigned int
latent_check(struct process *p, pid_t tid, uint64_t sp, const struct latent_target *t,
	     size_t n, bool may_inject)
{
	/* Only what has a span and a name: the main program has none. */
	struct latent_target *v = xcalloc(n ? n : 1, sizeof(*v));
	size_t nv = 0;
	for (size_t i = 0; i < n; i++)
		if (t[i].end > t[i].start && t[i].path && t[i].path[0])
			v[nv++] = t[i];
	unsigned int live = 0;
	if (nv < 2 || !check_memory_together(p, tid, sp, v, nv, &live))
		for (size_t i = 0; i < nv; i++)
			live += check_memory(p, tid, sp, &v[i]);
	if (nv) {
		live += check_threads(p, tid, v, nv);
		/* Handlers kept from an earlier read need no call. */
		if (may_inject || sighand_kept(p, unmapwatch_active(p)))
			live += check_handlers(p, tid, v, nv);
		else
			debug_msg("pid %d: signal handlers not looked at for this unload (seen at "
				  "a stop of thread %d where no call can be run)", p->pid, tid);
	}
	free(v);
	return live;
}

void
latent_data_save(pid_t tid, struct elf_file *elf, uint64_t l_addr, struct latent_data *d)
{
	memset(d, 0, sizeof(*d));
	size_t nseg;
	const struct elf_segment *seg = elf ? elfsym_segments(elf, &nseg) : NULL;
	uint64_t lo = UINT64_MAX, hi = 0;
	for (size_t i = 0; seg && i < nseg; i++)
		if (seg[i].flags & PF_W) {
			if (seg[i].vaddr < lo)
				lo = seg[i].vaddr;
			if (seg[i].vaddr + seg[i].memsz > hi)
				hi = seg[i].vaddr + seg[i].memsz;
		}
	if (hi <= lo || hi - lo > LATENT_DATA_MAX)
		return;
	d->start = lo + l_addr;
	d->bytes = xmalloc(hi - lo);
	d->len = mem_read_partial(tid, d->start, d->bytes, hi - lo);
}

void
latent_data_free(struct latent_data *d)
{
	free(d->bytes);
	memset(d, 0, sizeof(*d));
}
