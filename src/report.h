/* The human-readable report: per-process timelines and fault diagnoses. */
#ifndef TA_REPORT_H
#define TA_REPORT_H

#include <stdbool.h>
#include <stdio.h>

struct finding;
struct frame;
struct process;
struct stack;
struct tl_event;

struct report_options {
	FILE *out;
	bool quiet;		/* findings only, no timeline */
};

/* Where the report goes: set once by main. */
extern struct report_options report_options;

/* What was found, for --error-exitcode. */
struct report_findings {
	unsigned int faults;		/* fault signals diagnosed */
	unsigned int latent;		/* live references into unloaded or pinned code */
	unsigned int unloaded_faults;	/* faults in unloaded libraries */
};
extern struct report_findings report_findings;

/* Whether a process image has anything to tell: a fork that exec'd at
   once has not.  The same images in every report. */
bool report_process_shown(const struct process *p);
/* For an unload (or kept event) deferred to an outer dlclose: "the
   dlclose of X at T ms carried it out, after that dlclose's own unloads",
   into buf; false (buf untouched) when e was not deferred. */
bool report_deferred(const struct process *p, const struct tl_event *e, char *buf,
		     size_t size);
/* What a finding says of the dlclose behind it, in every format. */
struct finding_close {
	const struct tl_event *dlclose;	/* NULL: none was seen */
	const struct tl_event *unload;	/* NULL: none */
	char ns[32];			/* the unload's report_format_namespace */
	char deferred[256];		/* its report_deferred, or "" */
};
void report_finding_close(const struct finding *f, struct finding_close *c);
/* A frame's "symbol+0xoff", or its pc when it has no symbol. */
void report_frame_symbol(const struct frame *f, char *buf, size_t size);
/* Every process's timeline, oldest process first. */
void report_timelines(const struct report_options *o);

/* What one process (all images of its pid) was found with. */
struct process_tally {
	unsigned int faults;		/* fault signals diagnosed */
	unsigned int unloaded_faults;	/* of them, in unloaded libraries */
	unsigned int latent;		/* latent findings */
};
/* The processes of the summary: the last image of each pid. */
bool report_summary_shows(const struct process *p);
/* Whether a summary is due: several processes, or attached ones (-p), so
   that how each ended is said even with --quiet. */
bool report_summary_due(void);
void report_process_tally(const struct process *p, struct process_tally *t);
/* Let go on SIGINT/SIGTERM after -p (not handed to a debugger). */
bool report_process_let_go(const struct process *p);
/* "exited with status 0", "killed by SIGSEGV", "detached (runs on)". */
void report_format_end(const struct process *p, char *buf, size_t size);
/* One line per process: pid, command, how it ended, its findings. */
void report_summary(FILE *out);
/* One stack, one frame a line, each line starting with indent. */
void report_stack(FILE *out, const struct stack *s, const char *indent);
/* "exited with status 3", "killed by SIGSEGV (core dumped)". */
void report_format_status(int wait_status, char *buf, size_t size);

/* finding_sink_fn: print a finding as it is made (to arg, a struct
   report_options) and count it in report_findings. */
void report_on_finding(const struct finding *f, void *arg);
/* A fault diagnosis, answer first; written when it happens. */
void report_fault(FILE *out, const struct finding *f);
/* A latent finding: live references into an unloaded or pinned library. */
void report_latent(FILE *out, const struct finding *f);
/* The usual fix, and for a latent finding what would happen. */
const char *report_fix(const struct finding *f);
const char *report_latent_consequence(const struct finding *f);
/* "SEGV" for SIGSEGV. */
const char *report_signal_name(int sig);
/* "SEGV_MAPERR: address not mapped". */
const char *report_si_code_name(int sig, int code);

/* The process's arguments, each escaped, with a space before each. */
void report_print_argv(FILE *out, const struct process *p);

/* " (namespace N)" for an event in a link-map namespace other than the
   base (dlmopen), else "". */
void report_format_namespace(const struct tl_event *e, char *buf, size_t size);

#endif
