#include "config.h"
#include "finding.h"
#include "basename.h"
#include "clock.h"
#include "tracee.h"
#include "xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct finding **findings;
size_t nfindings;
static size_t findings_cap;

struct finding *
finding_new(enum finding_kind kind, struct process *p, pid_t tid)
{
	struct finding *f = xcalloc(1, sizeof(*f));
	f->kind = kind;
	f->proc = p;
	f->pid = p->pid;
	f->tid = tid;
	f->t = clock_now();
	findings = xgrow(findings, &findings_cap, nfindings + 1, sizeof(*findings));
	findings[nfindings++] = f;
	f->seq = nfindings;
	return f;
}

static finding_sink_fn *sink;
static void *sink_arg;

void
finding_set_sink(finding_sink_fn *fn, void *arg)
{
	sink = fn;
	sink_arg = arg;
}

/* Published, not handed to the sink yet. */
static struct finding **queued;
static size_t nqueued, queued_cap;

void
finding_publish(struct finding *f)
{
	finding_sign(f);
	queued = xgrow(queued, &queued_cap, nqueued + 1, sizeof(*queued));
	queued[nqueued++] = f;
	if (f->kind == FINDING_FAULT)
		finding_flush();
}

void
finding_flush(void)
{
	for (size_t i = 0; i < nqueued; i++)
		if (sink)
			sink(queued[i], sink_arg);
	nqueued = 0;
}

/* FNV-1a, 64 bits: stable, and enough to group reports. */
static void
hash_str(uint64_t *h, const char *s)
{
	for (; s && *s; s++) {
		*h ^= (unsigned char)*s;
		*h *= 0x100000001b3ULL;
	}
	*h ^= 0xff;		/* field separator */
	*h *= 0x100000001b3ULL;
}

/* Names only, never addresses or offsets, so that the same bug gives the
   same signature across runs, ASLR and machines. */
void
finding_sign(struct finding *f)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	hash_str(&h, f->kind == FINDING_FAULT ? "fault" : "latent");
	hash_str(&h, f->category);
	hash_str(&h, f->library ? path_basename(f->library) : "");
	if (f->kind == FINDING_FAULT) {
		for (size_t i = 0; i < f->nfacts; i++) {
			hash_str(&h, f->facts[i].symbol);
			hash_str(&h, f->facts[i].slot_function);
		}
		/* The top frames with a name, outside the unloaded library. */
		unsigned int taken = 0;
		for (size_t i = 0; i < f->stack.n && taken < 3; i++) {
			const struct frame *fr = &f->stack.v[i];
			if (!fr->symbol || fr->in_gone_mapping || fr->signal_frame)
				continue;
			hash_str(&h, fr->symbol);
			taken++;
		}
	} else {
		/* References keep the signatures they had before threads and
		   handlers were looked at. */
		if (f->latent_kind != LATENT_REFERENCES)
			hash_str(&h, finding_latent_kind_name(f->latent_kind));
		for (size_t i = 0; i < f->nrefs && i < 8; i++) {
			hash_str(&h, f->refs[i].symbol);
			if (f->refs[i].kind == FREF_OBJECT)
				hash_str(&h, f->refs[i].object_class);
		}
		/* A thread by the library's function it is in, never by its
		   tid or name; a handler by its signal and function. */
		for (size_t i = 0; i < f->nthreads && i < 8; i++) {
			const struct finding_thread *t = &f->threads[i];
			hash_str(&h, t->first < t->stack.n ? t->stack.v[t->first].symbol : NULL);
		}
		for (size_t i = 0; i < f->nhandlers && i < 8; i++) {
			char sig[16];
			snprintf(sig, sizeof(sig), "%d", f->handlers[i].sig);
			hash_str(&h, sig);
			hash_str(&h, f->handlers[i].symbol);
		}
		hash_str(&h, f->pinned ? "pinned" : "unloaded");
		const struct tl_event *dlc = f->dlclose_event ?
					     timeline_find(&f->proc->timeline, f->dlclose_event) : NULL;
		unsigned int taken = 0;
		for (size_t i = 1; dlc && i < dlc->stack.n && taken < 3; i++) {
			if (!dlc->stack.v[i].symbol)
				continue;
			hash_str(&h, dlc->stack.v[i].symbol);
			taken++;
		}
	}
	snprintf(f->signature, sizeof(f->signature), "ta-%016llx", (unsigned long long)h);
}

static void
fact_free(struct fact *x)
{
	free(x->path);
	free(x->build_id);
	free(x->now_covered_by);
	free(x->symbol);
	free(x->slot_function);
	free(x->region);
	free(x->section);
	free(x->live_symbol);
}

void
finding_free_all(void)
{
	free(queued);
	queued = NULL;
	nqueued = queued_cap = 0;
	for (size_t i = 0; i < nfindings; i++) {
		struct finding *f = findings[i];
		free(f->category);
		free(f->verdict);
		free(f->library);
		free(f->library_build_id);
		for (size_t k = 0; k < f->nfacts; k++)
			fact_free(&f->facts[k]);
		free(f->sender);
		free(f->abort_message);
		free(f->insn);
		free(f->object_region);
		free(f->object_reg);
		stack_free(&f->stack);
		stack_free(&f->unmap_stack);
		free(f->pin_note);
		free(f->possible_reason);
		free(f->gdb_script);
		for (size_t k = 0; k < f->nrefs; k++) {
			free(f->refs[k].symbol);
			free(f->refs[k].object_class);
			free(f->refs[k].place);
		}
		free(f->refs);
		for (size_t k = 0; k < f->nthreads; k++) {
			free(f->threads[k].name);
			stack_free(&f->threads[k].stack);
		}
		free(f->threads);
		for (size_t k = 0; k < f->nhandlers; k++)
			free(f->handlers[k].symbol);
		free(f->handlers);
		free(f);
	}
	free(findings);
	findings = NULL;
	nfindings = findings_cap = 0;
}

unsigned int
finding_latent_count(const struct finding *f)
{
	unsigned int n = 0;
	if (f->kind != FINDING_LATENT)
		return 0;
	for (size_t i = 0; i < f->nrefs; i++)
		n += !f->refs[i].possible;
	return n + (unsigned int)f->nthreads + (unsigned int)f->nhandlers;
}

const char *
finding_latent_kind_name(enum latent_kind k)
{
	switch (k) {
	case LATENT_REFERENCES: return "references";
	case LATENT_THREADS: return "threads";
	case LATENT_HANDLERS: return "signal-handlers";
	}
	return "?";
}

const char *
finding_ref_kind_name(enum finding_ref_kind k)
{
	switch (k) {
	case FREF_VPTR: return "vptr";
	case FREF_FUNCTION: return "function-pointer";
	case FREF_OBJECT: return "object-pointer";
	}
	return "?";
}
