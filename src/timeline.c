#include "config.h"
#include "timeline.h"
#include "clock.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

static unsigned int next_event_id = 1;

void
stack_free(struct stack *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].module);
		free(s->v[i].build_id);
		free(s->v[i].symbol);
		free(s->v[i].source_file);
		for (size_t k = 0; k < s->v[i].ninlined; k++) {
			free(s->v[i].inlined[k].function);
			free(s->v[i].inlined[k].file);
		}
		free(s->v[i].inlined);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

struct tl_event *
timeline_add(struct timeline *tl, enum tl_kind kind, pid_t tid, const char *path)
{
	tl->v = xgrow(tl->v, &tl->cap, tl->n + 1, sizeof(*tl->v));
	struct tl_event *e = &tl->v[tl->n++];
	memset(e, 0, sizeof(*e));
	e->id = next_event_id++;
	e->kind = kind;
	e->t = clock_now();
	e->tid = tid;
	e->path = path ? xstrdup(path) : NULL;
	return e;
}

const struct tl_event *
timeline_find(const struct timeline *tl, unsigned int id)
{
	/* Ids grow with the index: binary search. */
	size_t lo = 0, hi = tl->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (tl->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < tl->n && tl->v[lo].id == id ? &tl->v[lo] : NULL;
}

void
timeline_free(struct timeline *tl)
{
	for (size_t i = 0; i < tl->n; i++) {
		free(tl->v[i].path);
		free(tl->v[i].note);
		free(tl->v[i].file);
		stack_free(&tl->v[i].stack);
	}
	free(tl->v);
	memset(tl, 0, sizeof(*tl));
}

const char *
tl_kind_name(enum tl_kind kind)
{
	switch (kind) {
	case TL_EXEC: return "exec";
	case TL_LOAD: return "load";
	case TL_UNLOAD: return "unload";
	case TL_DLOPEN: return "dlopen";
	case TL_DLCLOSE: return "dlclose";
	case TL_DLCLOSE_KEPT: return "kept";
	case TL_MAP_GONE: return "unmap";
	case TL_FAULT: return "fault";
	case TL_EXIT: return "exit";
	case TL_ATTACH: return "attach";
	case TL_DETACH: return "detach";
	}
	return "?";
}
