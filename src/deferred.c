#include "config.h"
#include "deferred.h"
#include "breakpoint.h"
#include "tracee.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

unsigned int
deferred_note(struct process *p, pid_t tid, uint64_t sp, uint64_t handle,
	      unsigned int dlclose_event)
{
	/* The outermost dlclose in flight on tid: the return waiter highest
	   up its stack (stacks grow down).  It holds the loader lock, so no
	   other thread's dlclose can be the one. */
	const struct ret_waiter *outer = NULL;
	for (size_t i = 0; i < p->bps.n; i++) {
		const struct breakpoint *bp = &p->bps.v[i];
		if (bp->kind != BP_DLCLOSE_RET)
			continue;
		for (unsigned int k = 0; k < bp->nwaiters; k++) {
			const struct ret_waiter *w = &bp->waiters[k];
			if (w->tid == tid && w->sp > sp && (!outer || w->sp > outer->sp))
				outer = w;
		}
	}
	if (!outer)
		return 0;
	struct deferred_list *l = &p->deferred;
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = (struct deferred_close){ tid, handle, dlclose_event, outer->ref };
	return outer->ref;
}

void
deferred_unloaded(struct process *p, pid_t tid, uint64_t lm, unsigned int *dlclose_event,
		  unsigned int *outer_event)
{
	struct deferred_list *l = &p->deferred;
	for (size_t i = l->n; i-- > 0;) {
		if (l->v[i].tid != tid || l->v[i].handle != lm)
			continue;
		*dlclose_event = l->v[i].dlclose_event;
		*outer_event = l->v[i].outer_event;
		l->v[i] = l->v[--l->n];
		return;
	}
}

bool
deferred_pending(const struct process *p, unsigned int outer_event)
{
	for (size_t i = 0; i < p->deferred.n; i++)
		if (p->deferred.v[i].outer_event == outer_event)
			return true;
	return false;
}

void
deferred_outer_returned(struct process *p, unsigned int outer_event,
			void (*fn)(struct process *p, const struct deferred_close *d, void *arg),
			void *arg)
{
	struct deferred_list *l = &p->deferred;
	for (size_t i = l->n; i-- > 0;) {
		if (l->v[i].outer_event != outer_event)
			continue;
		struct deferred_close d = l->v[i];
		l->v[i] = l->v[--l->n];
		fn(p, &d, arg);
	}
}

void
deferred_list_free(struct deferred_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}
