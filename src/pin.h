/* Why a library stayed mapped after dlclose. */
#ifndef TA_PIN_H
#define TA_PIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct process;
struct solib;

struct pin_reasons {
	bool rtld_nodelete;	/* dlopen was given RTLD_NODELETE */
	bool df_1_nodelete;	/* linked with -z nodelete */
	char **unique;		/* demangled STB_GNU_UNIQUE symbols bound to it */
	size_t n_unique;
	char **unique_elsewhere; /* ones it defines that bind to an earlier object */
	size_t n_unique_elsewhere;
	const char *needed_by;	/* another loaded object that needs it */
	unsigned int open_handles; /* dlopen calls not matched by a dlclose */
	uint64_t tls_dtors;	/* thread_local destructors of it not run yet
				   (glibc's l_tls_dtor_count) */
	bool tls_unknown;	/* that count could not be read */
};

/* Fill r for library l of process p, reading the process through its
   stopped thread tid. */
void pin_explain(struct process *p, pid_t tid, const struct solib *l, struct pin_reasons *r);
/* Something the tool can name holds l mapped (a pin, a handle, a
   dependency, thread_local destructors). */
bool pin_is_held(const struct pin_reasons *r);
/* True when something keeps it mapped for the rest of the process. */
bool pin_is_pinned(const struct pin_reasons *r);
/* One line of plain words, malloc'd. */
char *pin_describe(const struct pin_reasons *r);
void pin_reasons_free(struct pin_reasons *r);

#endif
