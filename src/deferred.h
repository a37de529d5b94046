/* dlclose calls made while another dlclose runs on the same thread (a
   plugin's destructor closing a plugin it loaded): glibc's
   _dl_close_worker only notes that it must collect again (dl_close_state
   = rerun) and returns, and the outer dlclose unloads what became unused
   after its own unloads.  The nested call returns with its library still
   mapped, and the unload that follows happens on the outer call's way
   out: both are tied here to the nested call, and to the outer one that
   carried the unload out. */
#ifndef TA_DEFERRED_H
#define TA_DEFERRED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct process;

struct deferred_close {
	pid_t tid;
	uint64_t handle;		/* the nested dlclose's argument (its link_map) */
	unsigned int dlclose_event;	/* the nested dlclose */
	unsigned int outer_event;	/* the outermost dlclose in flight on tid */
};

struct deferred_list {
	struct deferred_close *v;
	size_t n, cap;
};

/* A dlclose of handle (event dlclose_event) returned to sp on tid with its
   library still mapped.  If a dlclose is still in flight on tid further
   up its stack, glibc unloads the library (if nothing else holds it) at
   the end of the outermost one: that one's event id is recorded and
   returned.  0: no dlclose in flight around it. */
unsigned int deferred_note(struct process *p, pid_t tid, uint64_t sp, uint64_t handle,
			   unsigned int dlclose_event);
/* Object lm was unloaded on tid: the nested dlclose behind it and the
   outer one that carried it out, into *dlclose_event and *outer_event
   (left as they are when there is none).  The record is dropped. */
void deferred_unloaded(struct process *p, pid_t tid, uint64_t lm, unsigned int *dlclose_event,
		       unsigned int *outer_event);
/* Unloads deferred to the outer dlclose outer_event are still due. */
bool deferred_pending(const struct process *p, unsigned int outer_event);
/* The outer dlclose outer_event returned: take out the records it left
   (libraries still mapped then), calling fn for each. */
void deferred_outer_returned(struct process *p, unsigned int outer_event,
			     void (*fn)(struct process *p, const struct deferred_close *d,
					void *arg), void *arg);
void deferred_list_free(struct deferred_list *l);

#endif
