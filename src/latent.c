#include "config.h"
#include "latent.h"
#include "allocator.h"
#include "basename.h"
#include "demangle.h"
#include "elfsym.h"
#include "error.h"
#include "finding.h"
#include "heap.h"
#include "procmap.h"
#include "scan.h"
#include "tracee.h"
#include "xmalloc.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ref_kind {
	REF_DATA,		/* a plain data pointer: no evidence of use */
	REF_VTABLE,		/* a vtable address point: a live object's vptr */
	REF_FUNCTION,		/* the start of a function: a function pointer */
};

struct ref {
	uint64_t where, value;
	enum ref_kind kind;
	char *symbol;		/* demangled */
	struct chunk_info chunk;
	const struct map_entry *map;
	bool stack;		/* on some thread's stack */
	bool possible;		/* live by the evidence, but the allocator cannot say */
};

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
	return REF_DATA;
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
	if (is_heap(m) && r->chunk.state == CHUNK_ALLOCATED) {
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
	return r->kind != REF_DATA && r->chunk.state != CHUNK_FREE && !r->stack;
}

unsigned int
latent_check(struct process *p, pid_t tid, uint64_t sp, const struct latent_target *t)
{
	/* The writable memory as it is now: library events no longer read
	   the maps, and anonymous memory comes and goes between them. */
	struct maps_snapshot now;
	const struct maps_snapshot *maps = &now;
	if (procmap_read_writable(p->pid, tid, &now) < 0) {
		debug_msg("pid %d: reading the writable mappings through thread %d: %s; "
			  "scanning those the tool saw last", p->pid, tid, strerror(errno));
		maps = &p->maps;
	}
	struct scan_result sr;
	scan_process(tid, maps, t->start, t->end, t->pinned ? t->start : 0,
		     t->pinned ? t->end : 0, sp, &sr);
	if (!sr.n) {
		scan_result_free(&sr);
		maps_snapshot_free(&now);
		return 0;
	}
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
	for (size_t i = 0; i < sr.n; i++) {
		if (!is_live(&refs[i])) {
			weak++;
			continue;
		}
		refs[i].possible = !alloc->heap_walkable && is_malloc_memory(&refs[i]);
		if (refs[i].possible)
			possible++;
		else
			live++;
	}
	if (live || possible) {
		struct finding *f = finding_new(FINDING_LATENT, p, tid);
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
		f->weak_refs = weak;
		f->possible = !live;
		if (possible)
			f->possible_reason = xstrdup(alloc->reason);
		f->category = xstrdup(t->pinned ? "latent-pinned" : "latent-unloaded");
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
				fr->vtable = r->kind == REF_VTABLE;
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
	scan_result_free(&sr);
	maps_snapshot_free(&now);
	return live;
}
