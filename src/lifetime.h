/* Library lifetimes from a process's timeline: each load paired with the
   unload that ended it, and each event assigned to the lifetime it is
   about (a dlopen to what it loaded, a dlclose to what it closed).  For
   the HTML report's lanes; linear in the number of events. */
#ifndef TA_LIFETIME_H
#define TA_LIFETIME_H

#include "timeline.h"

#include <stddef.h>

struct lifetime {
	const struct tl_event *load;	/* the TL_LOAD that began it */
	const struct tl_event *unload;	/* the TL_UNLOAD that ended it, NULL:
					   mapped until the process ended */
};

struct lifetime_list {
	struct lifetime *v;
	size_t n;
	/* For the timeline's event i: the index of its lifetime in v, or
	   -1 when it belongs to the process as a whole (exec, fault, exit,
	   unmap, a dlopen that loaded nothing seen). */
	long *of_event;
};

void lifetime_list_build(const struct timeline *tl, struct lifetime_list *out);
void lifetime_list_free(struct lifetime_list *l);

#endif
