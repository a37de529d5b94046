/* Findings: faults and latent references, as facts that both the text and
   the JSON report are written from. */
#ifndef TA_FINDING_H
#define TA_FINDING_H

#include "timeline.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct process;

/* What is known about one address of a fault. */
struct fact {
	char label[16];		/* "address", "pc", "rax", "*rdi" */
	uint64_t addr;
	bool was_gone;		/* covered by a library that was unloaded */
	bool unmapped_file;	/* covered by a file mapped as data (not a
				   library) that was unmapped, or by anything
				   an unmap the tool saw removed */
	const char *unmap_call;	/* "munmap" when seen as it happened */
	bool contents_unknown;	/* mapped after the tool's last look */
	/* was_gone or unmapped_file: the file as it was, and since when it
	   is gone */
	char *path;
	char perms[5];
	char *build_id;
	double gone_before;	/* seconds before the fault; an upper bound
				   unless gone_time_exact */
	bool gone_time_exact;	/* the unmap was seen as it happened */
	char *now_covered_by;	/* another mapping there now (reloaded address) */
	char *symbol;		/* demangled, in the old file */
	uint64_t sym_offset;
	long slot;		/* vtable slot, -1: none */
	char *slot_function;	/* what the slot or table word held */
	bool has_module_offset;
	uint64_t module_offset;	/* the address as a link-time address in the file */
	/* !was_gone: where it is now */
	char *region;		/* NULL: not mapped at all */
	char *section;		/* the ELF section there, in a file mapping */
	char *live_symbol;
	uint64_t live_sym_offset;
};

enum finding_ref_kind {
	FREF_VPTR,		/* a vtable address point: a live object's vptr */
	FREF_FUNCTION,		/* the start of a function */
	FREF_OBJECT,		/* the start of one of the library's data objects,
				   held by a live heap block */
};

/* A live reference found by the latent scan. */
struct finding_ref {
	enum finding_ref_kind kind;
	uint64_t where, value;
	bool possible;		/* in malloc'd memory whose allocator's freed blocks
				   cannot be told from live ones */
	char *symbol;		/* demangled vtable, function or object name */
	char *object_class;	/* FREF_OBJECT: the class its vptr names, or NULL */
	char *place;		/* "heap, at the start of ..." */
};

/* A thread whose pc, or a return address on whose stack, is in the
   library. */
struct finding_thread {
	pid_t tid;
	char *name;		/* /proc/PID/task/TID/comm */
	bool at_pc;		/* it runs the library's code (else it returns into it) */
	size_t first;		/* the innermost frame in the library */
	struct stack stack;
};

/* A signal handler, or its sa_restorer, in the library. */
struct finding_handler {
	int sig;
	uint64_t handler, restorer;
	bool handler_in;	/* the handler is in the library (else the restorer) */
	char *symbol;		/* demangled: what in the library it calls */
};

/* What kind of evidence a latent finding holds. */
enum latent_kind {
	LATENT_REFERENCES,	/* words in memory (refs) */
	LATENT_THREADS,		/* threads in the library's code (threads) */
	LATENT_HANDLERS,	/* the kernel's signal handlers (handlers) */
};

enum finding_kind {
	FINDING_FAULT,
	FINDING_LATENT,
};

struct finding {
	enum finding_kind kind;
	unsigned int seq;	/* creation order, from 1 */
	pid_t pid, tid;
	struct process *proc;
	double t;
	char *category;		/* short machine word, e.g. "virtual-call" */
	char *verdict;		/* plain words */
	bool blames_library;	/* an unloaded (or pinned) library is involved */
	char *library;		/* its path */
	char *library_build_id;
	unsigned int dlclose_event;	/* the dlclose behind it, 0: unknown */
	unsigned int unload_event;
	/* FINDING_FAULT */
	int sig, si_code;
	uint64_t addr, pc;
	struct fact facts[3];
	size_t nfacts;
	bool pc_is_addr;
	bool sent;		/* si_code <= 0: sent by a process, not raised
				   by an instruction */
	pid_t sender_pid;
	uid_t sender_uid;
	char *sender;		/* "pid 42 (bash)", "the process itself" */
	char *abort_message;	/* glibc's __abort_msg */
	char *insn;		/* the instruction that faulted (or made the
				   jump there), NULL if unknown */
	uint64_t insn_addr;
	struct {		/* the registers it used to form an address */
		char name[8];
		uint64_t value;
	} insn_regs[4];
	unsigned int ninsn_regs;
	bool history_known;	/* the libraries of the process were followed */
	const char *unmap_call;	/* the fault's memory went with this call */
	pid_t unmap_tid;
	double unmap_t;
	struct stack unmap_stack;	/* who called it */
	uint64_t object, object_vptr;	/* 0: none seen */
	char *object_region, *object_reg;
	struct stack stack;
	unsigned int fault_event;	/* its TL_FAULT event */
	char *gdb_script;	/* --gdb: the command file written */
	int handler_sig;	/* the pc is this signal's handler, just delivered */
	/* FINDING_LATENT */
	enum latent_kind latent_kind;
	bool pinned;
	char *pin_note;
	uint64_t lib_start, lib_end;
	struct finding_ref *refs;
	size_t nrefs;
	struct finding_thread *threads;
	size_t nthreads;
	struct finding_handler *handlers;
	size_t nhandlers;
	unsigned int weak_refs;
	bool possible;		/* every reference is only possible: not a verdict */
	char *possible_reason;	/* why some references are only possible */
	char signature[24];	/* "ta-" + 16 hex digits */
};

extern struct finding **findings;
extern size_t nfindings;

struct finding *finding_new(enum finding_kind kind, struct process *p, pid_t tid);
/* Compute f->signature from what does not change between runs. */
void finding_sign(struct finding *f);

/* Where complete findings go.  The code that follows events only makes
   findings; the report, registered by main.c, prints and counts them. */
typedef void finding_sink_fn(const struct finding *f, void *arg);
void finding_set_sink(finding_sink_fn *fn, void *arg);
/* f is complete: signed, and handed to the sink (if any), a fault at
   once (its process may be handed to a debugger or die next), anything
   else at the next finding_flush: printing may read a library's debug
   information, which can take tens of milliseconds, and the process it
   is about should not wait stopped for that. */
void finding_publish(struct finding *f);
/* Hand the findings published since to the sink, in their order: called
   once the stopped threads have been resumed, and at the end. */
void finding_flush(void);
void finding_free_all(void);
/* What a latent finding counts for --error-exitcode: its definite
   references, threads and handlers. */
unsigned int finding_latent_count(const struct finding *f);
/* "latent-kind" names: "references", "threads", "signal-handlers". */
const char *finding_latent_kind_name(enum latent_kind k);
const char *finding_ref_kind_name(enum finding_ref_kind k);

#endif
