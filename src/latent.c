#include "config.h"
#include "latent.h"
#include "demangle.h"
#include "elfsym.h"
#include "heap.h"
#include "report.h"
#include "scan.h"
#include "tracee.h"
#include "xmalloc.h"

#include <elf.h>
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

static void
describe_place(FILE *out, const struct ref *r)
{
	const struct map_entry *m = r->map;
	if (is_heap(m) && r->chunk.state == CHUNK_ALLOCATED) {
		if (r->where == r->chunk.user)
			fprintf(out, "heap, at the start of an allocated %llu-byte block",
				(unsigned long long)r->chunk.size);
		else
			fprintf(out, "heap, +%#llx into an allocated %llu-byte block at %#llx",
				(unsigned long long)(r->where - r->chunk.user),
				(unsigned long long)r->chunk.size, (unsigned long long)r->chunk.user);
	} else if (is_heap(m)) {
		fprintf(out, "heap");
	} else if (is_main_stack(m)) {
		fprintf(out, "the main thread's stack");
	} else if (r->stack) {
		fprintf(out, "a thread's stack");
	} else if (m && map_entry_is_file(m)) {
		fprintf(out, "data of %s", report_basename(m->path));
	} else {
		fprintf(out, "anonymous memory");
	}
}

/* The class of a "vtable for X" name. */
static const char *
class_of(const char *vtable_name)
{
	static const char prefix[] = "vtable for ";
	return strncmp(vtable_name, prefix, sizeof(prefix) - 1) == 0 ?
	       vtable_name + sizeof(prefix) - 1 : vtable_name;
}

static void
print_header(FILE *out, struct process *p, const struct latent_target *t, unsigned int live)
{
	const char *lib = report_basename(t->path);
	fprintf(out, "%s: pid %d (%s): latent use after dlclose: ", PACKAGE, p->pid,
		process_name(p));
	if (t->pinned)
		fprintf(out, "%s stayed mapped after its last dlclose, and %u live reference%s "
			"still point%s into it\n", lib, live, live > 1 ? "s" : "",
			live > 1 ? "" : "s");
	else
		fprintf(out, "%u live reference%s still point%s into %s, which was just unloaded\n",
			live, live > 1 ? "s" : "", live > 1 ? "" : "s", lib);
	const char *bid = t->elf ? elfsym_build_id(t->elf) : NULL;
	fprintf(out, "  library  %s %#llx-%#llx%s%s\n", t->path, (unsigned long long)t->start,
		(unsigned long long)t->end, bid ? ", build-id " : "", bid ? bid : "");
	if (t->pinned && t->pin_note)
		fprintf(out, "  why      %s\n", t->pin_note);
}

static void
print_ref(FILE *out, const struct ref *r)
{
	if (r->kind == REF_VTABLE) {
		fprintf(out, "  object   %#llx (", (unsigned long long)r->where);
		describe_place(out, r);
		fprintf(out, ") of class %s: its vptr %#llx points at its vtable\n",
			class_of(r->symbol), (unsigned long long)r->value);
	} else {
		fprintf(out, "  function %#llx (", (unsigned long long)r->where);
		describe_place(out, r);
		fprintf(out, ") holds a pointer to %s\n", r->symbol);
	}
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
	(void)tid;
	struct scan_result sr;
	scan_process(p->pid, &p->maps, t->start, t->end, t->pinned ? t->start : 0,
		     t->pinned ? t->end : 0, sp, &sr);
	if (!sr.n) {
		scan_result_free(&sr);
		return 0;
	}
	struct ref *refs = xcalloc(sr.n, sizeof(*refs));
	size_t nheap = 0;
	uint64_t heap_lo = 0, heap_hi = 0;
	for (size_t i = 0; i < sr.n; i++) {
		struct ref *r = &refs[i];
		r->where = sr.hits[i].where;
		r->value = sr.hits[i].value;
		r->map = maps_snapshot_find(&p->maps, r->where);
		r->stack = is_main_stack(r->map) || is_thread_stack(&p->maps, r->map);
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
		heap_classify(p->pid, heap_lo, heap_hi, addrs, nheap, info);
		k = 0;
		for (size_t i = 0; i < sr.n; i++)
			if (is_heap(refs[i].map))
				refs[i].chunk = info[k++];
		free(addrs);
		free(info);
	}

	unsigned int live = 0, weak = 0;
	for (size_t i = 0; i < sr.n; i++) {
		if (is_live(&refs[i]))
			live++;
		else
			weak++;
	}
	if (live) {
		FILE *out = report_options.out;
		print_header(out, p, t, live);
		unsigned int shown = 0;
		for (size_t i = 0; i < sr.n && shown < 10; i++)
			if (is_live(&refs[i])) {
				print_ref(out, &refs[i]);
				shown++;
			}
		if (live > shown)
			fprintf(out, "  ...      and %u more\n", live - shown);
		if (weak || sr.dropped)
			fprintf(out, "  also     %u other word%s point%s into it (freed memory or plain "
				"data: no evidence of use, not counted)\n", weak + (unsigned)sr.dropped,
				weak + sr.dropped > 1 ? "s" : "", weak + sr.dropped > 1 ? "" : "s");
		const struct tl_event *dlc = t->dlclose_event ?
					     timeline_find(&p->timeline, t->dlclose_event) : NULL;
		if (dlc) {
			fprintf(out, "  dlclose  in thread %d at %.3f ms:\n", dlc->tid, dlc->t * 1e3);
			report_stack(out, &dlc->stack, "           ");
		}
		if (t->pinned)
			fprintf(out, "  verdict  a build in which %s is really unmapped (for example a "
				"Clang build) would crash when these objects are destroyed or called\n",
				report_basename(t->path));
		else
			fprintf(out, "  verdict  the process will fault when these objects are destroyed "
				"or these pointers called\n");
		fprintf(out, "  fix      destroy what the plugin created before it is unloaded, or keep "
			"its loader alive longer than what it created\n");
		fflush(out);
		report_findings.latent += live;
	}
	for (size_t i = 0; i < sr.n; i++)
		free(refs[i].symbol);
	free(refs);
	scan_result_free(&sr);
	return live;
}
