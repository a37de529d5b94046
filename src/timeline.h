/* The per-process record of what happened: library loads and unloads,
   dlopen and dlclose calls with their callers, mapping changes, faults. */
#ifndef TA_TIMELINE_H
#define TA_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct elf_file;

/* A call inlined at an address: the function and where in it the
   address is. */
struct src_inline {
	char *function;		/* demangled */
	char *file;
	unsigned int line;
};

/* One symbolized stack frame. */
struct frame {
	uint64_t pc;
	char *module;		/* path of the mapping, NULL if unknown */
	char *build_id;		/* of the module's file, NULL if unknown */
	char *symbol;		/* demangled, NULL if unknown */
	uint64_t sym_offset;	/* pc - symbol start */
	uint64_t module_offset;	/* pc as a link-time address in module */
	bool has_module_offset;
	bool in_gone_mapping;	/* resolved from the history of unmapped code */
	bool is_return;		/* a return address: look up pc - 1 */
	bool signal_frame;	/* the signal trampoline (rt_sigreturn): the kernel
				   called a handler here, "<signal handler called>" */
	/* Filled on demand by debuginfo_fill_stack(), not at the event: */
	struct elf_file *elf;	/* the file (kept open by objcache), or NULL */
	bool source_done;
	char *source_file;	/* NULL if unknown */
	unsigned int source_line;
	struct src_inline *inlined;	/* calls inlined at pc, innermost first */
	size_t ninlined;
};

struct stack {
	struct frame *v;
	size_t n;
	bool truncated;		/* the walk hit its depth cap */
	bool stopped_unloaded;	/* the walk could not go on past a frame in
				   unloaded code (no return address to trust) */
};

void stack_free(struct stack *s);

enum tl_kind {
	TL_EXEC,		/* path: the new image */
	TL_LOAD,		/* path, start/end: library mapped */
	TL_UNLOAD,		/* path, start/end: library gone, mappings removed */
	TL_DLOPEN,		/* path: argument (NULL: main program), flags */
	TL_DLCLOSE,		/* path, handle, stack: the call */
	TL_DLCLOSE_KEPT,	/* path, handle: dlclose returned, library still mapped */
	TL_MAP_GONE,		/* path, start/end: a mapping vanished outside an unload */
	TL_FAULT,		/* signal, addr */
	TL_EXIT,		/* status: wait status */
	TL_ATTACH,		/* path: the program; status: threads attached */
	TL_DETACH,		/* we let it go on untraced */
};

struct tl_event {
	unsigned int id;	/* unique across the run, from 1 */
	enum tl_kind kind;
	double t;		/* seconds since start */
	pid_t tid;
	char *path;
	uint64_t start, end;
	uint64_t handle;
	uint64_t base;		/* TL_LOAD / TL_UNLOAD: load bias (l_addr) */
	int flags;		/* dlopen flags */
	unsigned int ns;	/* TL_LOAD, TL_UNLOAD, TL_DLCLOSE, TL_DLCLOSE_KEPT,
				   TL_DLOPEN: the link-map namespace of the object
				   (or of the calling libc); 0 the base */
	bool dlmopen;		/* TL_DLOPEN: dlmopen(lmid, path, flags) */
	long lmid;		/* TL_DLOPEN with dlmopen: its lmid argument */
	bool at_attach;		/* TL_LOAD: already loaded when we attached */
	int status;		/* TL_EXIT: wait status; TL_FAULT: signal */
	uint64_t addr;		/* TL_FAULT: si_addr */
	unsigned int ref;	/* TL_UNLOAD / TL_DLCLOSE_KEPT: id of the dlclose event */
	unsigned int dlopen_ref;	/* TL_LOAD: id of the dlopen event that loaded it
					   (0: not known, or not one) */
	unsigned int outer_ref;	/* TL_UNLOAD / TL_DLCLOSE_KEPT: a dlclose made while
				   another ran on the thread: the id of the outer
				   one, which carries the unload out (deferred.h) */
	struct stack stack;	/* TL_DLCLOSE: caller's stack */
	char *note;		/* TL_DLCLOSE_KEPT: why it stayed mapped */
	char *file;		/* TL_LOAD, TL_UNLOAD, TL_DLCLOSE_KEPT: the file as
				   /proc/PID/maps names it (absolute) */
};

struct timeline {
	struct tl_event *v;
	size_t n, cap;
};

/* Appends an event with a fresh id and the current time; path is copied.
   The pointer is valid until the next append to the same timeline. */
struct tl_event *timeline_add(struct timeline *tl, enum tl_kind kind, pid_t tid,
			      const char *path);
const struct tl_event *timeline_find(const struct timeline *tl, unsigned int id);
void timeline_free(struct timeline *tl);
const char *tl_kind_name(enum tl_kind kind);

#endif
