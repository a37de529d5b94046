#include "config.h"
#include "report.h"
#include "basename.h"
#include "debuginfo.h"
#include "finding.h"
#include "quote.h"
#include "solib.h"
#include "tracee.h"
#include "unmapwatch.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

struct report_options report_options = { .out = NULL };
struct report_findings report_findings;

void
report_format_status(int st, char *buf, size_t size)
{
	if (WIFEXITED(st))
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, size, "killed by SIG%s%s", sigabbrev_np(WTERMSIG(st)) ?
			 sigabbrev_np(WTERMSIG(st)) : "?", WCOREDUMP(st) ? " (core dumped)" : "");
	else
		snprintf(buf, size, "wait status %#x", st);
}

bool
report_deferred(const struct process *p, const struct tl_event *e, char *buf, size_t size)
{
	const struct tl_event *outer = e && e->outer_ref ?
				       timeline_find(&p->timeline, e->outer_ref) : NULL;
	if (!outer)
		return false;
	snprintf(buf, size, "unload deferred by glibc to the end of the dlclose of %s at %.3f ms, "
		 "which carried it out after its own unloads",
		 outer->path ? path_basename(outer->path) : "an unknown handle", outer->t * 1e3);
	return true;
}

void
report_frame_symbol(const struct frame *f, char *buf, size_t size)
{
	if (f->symbol && f->sym_offset)
		snprintf(buf, size, "%s+%#llx", f->symbol, (unsigned long long)f->sym_offset);
	else if (f->symbol)
		snprintf(buf, size, "%s", f->symbol);
	else
		snprintf(buf, size, "%#llx", (unsigned long long)f->pc);
}

void
report_stack(FILE *out, const struct stack *s, const char *indent)
{
	debuginfo_fill_stack(s);
	for (size_t i = 0; i < s->n; i++) {
		const struct frame *f = &s->v[i];
		/* Calls inlined at the pc first, innermost first, as the
		   frames they would be without inlining. */
		for (size_t k = 0; k < f->ninlined; k++) {
			const struct src_inline *in = &f->inlined[k];
			char name[512];
			snprintf(name, sizeof(name), "%s (inlined)", in->function);
			fprintf(out, "%s    %-50s %s  %s:%u\n", indent, name,
				f->module ? path_basename(f->module) : "??",
				path_basename(in->file), in->line);
		}
		if (f->signal_frame) {
			/* As gdb writes it. */
			fprintf(out, "%s#%-2zu <signal handler called>\n", indent, i);
			continue;
		}
		char sym[512];
		report_frame_symbol(f, sym, sizeof(sym));
		fprintf(out, "%s#%-2zu %-50s %s%s", indent, i, sym,
			f->module ? path_basename(f->module) : "??",
			f->in_gone_mapping ? " (unloaded)" : "");
		if (f->source_file)
			fprintf(out, "  %s:%u", path_basename(f->source_file), f->source_line);
		fputc('\n', out);
	}
	if (s->truncated)
		fprintf(out, "%s... (deeper frames not shown)\n", indent);
	if (s->stopped_unloaded)
		fprintf(out, "%s(end of stack: the unwinder could not go on past unloaded code)\n",
			indent);
}

/* The process's name (its executable's), escaped. */
static const char *
shown_name(const struct process *p)
{
	static char buf[256];
	return quote_string(process_name(p), buf, sizeof(buf));
}

void
report_format_namespace(const struct tl_event *e, char *buf, size_t size)
{
	if (e->ns)
		snprintf(buf, size, " (namespace %u)", e->ns);
	else if (size)
		buf[0] = '\0';
}

static void
report_event(FILE *out, const struct process *p, const struct tl_event *e)
{
	char extra[256] = "", pbuf[1024], ns[32];
	/* Paths come from the tracee (a dlopen argument): escaped. */
	const char *path = e->path ? quote_string(e->path, pbuf, sizeof(pbuf)) : NULL;
	report_format_namespace(e, ns, sizeof(ns));
	fprintf(out, "  %10.3f ms  %-8s ", e->t * 1e3, tl_kind_name(e->kind));
	switch (e->kind) {
	case TL_EXEC:
		fprintf(out, "%s\n", path ? path : "?");
		break;
	case TL_LOAD: {
		/* Loads are seen at the next stop after their dlopen, which
		   can be much later: the call's own time is said. */
		const struct tl_event *by = e->dlopen_ref ?
					    timeline_find(&p->timeline, e->dlopen_ref) : NULL;
		if (e->flags >= 0 && e->flags != 0)
			solib_format_flags(e->flags, extra, sizeof(extra));
		fprintf(out, "%s%s  %#llx-%#llx%s%s%s", path, ns, (unsigned long long)e->start,
			(unsigned long long)e->end, extra[0] ? "  " : "", extra,
			e->at_attach ? "  (before attach)" : "");
		if (by)
			fprintf(out, "  (dlopen at %.3f ms)", by->t * 1e3);
		fputc('\n', out);
		break;
	}
	case TL_UNLOAD: {
		const struct tl_event *by = e->ref ? timeline_find(&p->timeline, e->ref) : NULL;
		fprintf(out, "%s%s  %#llx-%#llx  mappings gone", path, ns,
			(unsigned long long)e->start, (unsigned long long)e->end);
		if (by)
			fprintf(out, " (dlclose at %.3f ms)", by->t * 1e3);
		if (report_deferred(p, e, extra, sizeof(extra)))
			fprintf(out, "\n                         %s", extra);
		fputc('\n', out);
		break;
	}
	case TL_DLOPEN:
		solib_format_flags(e->flags, extra, sizeof(extra));
		if (e->dlmopen) {
			char lmid[32];
			solib_format_lmid(e->lmid, lmid, sizeof(lmid));
			fprintf(out, "dlmopen(%s, %s, %s)\n", lmid, path, extra);
		} else {
			fprintf(out, "%s%s  %s\n", path, ns, extra);
		}
		break;
	case TL_DLCLOSE:
		fprintf(out, "%s%s  handle %#llx, called from:\n",
			path ? path : "(unknown handle)", ns, (unsigned long long)e->handle);
		report_stack(out, &e->stack, "                           ");
		break;
	case TL_DLCLOSE_KEPT:
		fprintf(out, "%s%s still mapped after dlclose returned %d  %#llx-%#llx\n",
			path, ns, e->status, (unsigned long long)e->start,
			(unsigned long long)e->end);
		if (e->note)
			fprintf(out, "                         %s\n", e->note);
		break;
	case TL_MAP_GONE:
		fprintf(out, "%s  %#llx-%#llx\n", path ? path : "(anonymous)",
			(unsigned long long)e->start, (unsigned long long)e->end);
		break;
	case TL_FAULT:
		fprintf(out, "SIG%s at %#llx in thread %d\n",
			sigabbrev_np(e->status) ? sigabbrev_np(e->status) : "?",
			(unsigned long long)e->addr, e->tid);
		break;
	case TL_EXIT:
		report_format_status(e->status, extra, sizeof(extra));
		fprintf(out, "%s\n", extra);
		break;
	case TL_ATTACH:
		fprintf(out, "%s  %d thread%s; libraries loaded before are marked "
			"\"before attach\"\n", path ? path : "?", e->status, e->status == 1 ? "" : "s");
		break;
	case TL_DETACH:
		fprintf(out, "breakpoints removed, the process goes on untraced\n");
		break;
	}
}

static void
report_process_header(FILE *out, const struct process *p)
{
	fprintf(out, "%s: pid %d (%s), parent %d:", PACKAGE, p->pid, shown_name(p),
		p->parent_pid);
	report_print_argv(out, p);
	fputc('\n', out);
}

void
report_print_argv(FILE *out, const struct process *p)
{
	for (char **a = p->argv; a && *a; a++) {
		fputc(' ', out);
		quote_print_arg(out, *a);
	}
}

bool
report_process_shown(const struct process *p)
{
	/* A fork that exec'd at once has nothing to tell. */
	return !(p->exec_ended && p->timeline.n == 0);
}

void
report_timelines(const struct report_options *o)
{
	/* Said even with -q: every verdict about unmapped memory depends on it. */
	if (unmapwatch_why_not())
		fprintf(o->out, "%s: note: %s\n", PACKAGE, unmapwatch_why_not());
	if (unmapwatch_why_not_attached())
		fprintf(o->out, "%s: note: %s\n", PACKAGE, unmapwatch_why_not_attached());
	if (o->quiet)
		return;
	for (const struct process *p = process_list; p; p = p->next) {
		if (!report_process_shown(p))
			continue;
		report_process_header(o->out, p);
		for (size_t i = 0; i < p->timeline.n; i++)
			report_event(o->out, p, &p->timeline.v[i]);
		if (p->exec_ended)
			fprintf(o->out, "  %10.3f ms  exec     (replaced by a new image)\n",
				p->ended_at * 1e3);
		fflush(o->out);
	}
}

bool
report_summary_shows(const struct process *p)
{
	return !p->exec_ended;
}

bool
report_summary_due(void)
{
	unsigned int n = 0;
	for (const struct process *p = process_list; p; p = p->next) {
		if (p->attached)
			return true;
		n += report_summary_shows(p);
	}
	return n > 1;
}

void
report_process_tally(const struct process *p, struct process_tally *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < nfindings; i++) {
		const struct finding *f = findings[i];
		if (f->pid != p->pid)
			continue;
		if (f->kind == FINDING_LATENT) {
			t->latent++;
		} else {
			t->faults++;
			t->unloaded_faults += f->blames_library;
		}
	}
}

bool
report_process_let_go(const struct process *p)
{
	return !p->ended && p->detached && p->timeline.n &&
	       p->timeline.v[p->timeline.n - 1].kind == TL_DETACH;
}

void
report_format_end(const struct process *p, char *buf, size_t size)
{
	if (p->ended)
		report_format_status(p->wait_status, buf, size);
	else if (report_process_let_go(p))
		snprintf(buf, size, "detached (runs on)");
	else if (p->detached)
		snprintf(buf, size, "handed to a debugger");
	else
		snprintf(buf, size, "still running");
}

void
report_summary(FILE *out)
{
	if (!report_summary_due())
		return;
	unsigned int n = 0;
	for (const struct process *p = process_list; p; p = p->next)
		n += report_summary_shows(p);
	fprintf(out, "%s: summary of %u process%s:\n", PACKAGE, n, n == 1 ? "" : "es");
	for (const struct process *p = process_list; p; p = p->next) {
		if (!report_summary_shows(p))
			continue;
		char end[64], found[128];
		struct process_tally t;
		report_format_end(p, end, sizeof(end));
		report_process_tally(p, &t);
		if (!t.faults && !t.latent)
			snprintf(found, sizeof(found), "no findings");
		else
			snprintf(found, sizeof(found), "%u fault%s (%u in unloaded code), %u latent",
				 t.faults, t.faults == 1 ? "" : "s", t.unloaded_faults, t.latent);
		fprintf(out, "  pid %-7d %-20s %-28s %s\n", p->pid, shown_name(p), end, found);
	}
	fflush(out);
}

const char *
report_signal_name(int sig)
{
	const char *s = sigabbrev_np(sig);
	if (s)
		return s;
	/* Real-time signals have no abbreviation: name them as kill -l does. */
	static char buf[16];
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, sizeof(buf), "RTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, sizeof(buf), "%d", sig);
	return buf;
}

const char *
report_si_code_name(int sig, int code)
{
	/* Sent by a process: the same codes for every signal. */
	switch (code) {
	case SI_USER: return "SI_USER: sent by kill()";
	case SI_TKILL: return "SI_TKILL: sent by tgkill() (raise, pthread_kill, abort)";
	case SI_QUEUE: return "SI_QUEUE: sent by sigqueue()";
	case SI_TIMER: return "SI_TIMER: a POSIX timer expired";
	case SI_MESGQ: return "SI_MESGQ";
	case SI_ASYNCIO: return "SI_ASYNCIO";
	}
	if (code == SI_KERNEL)
		return "SI_KERNEL: sent by the kernel";
	if (sig == SIGFPE) {
		switch (code) {
		case FPE_INTDIV: return "FPE_INTDIV: integer divide by zero";
		case FPE_INTOVF: return "FPE_INTOVF: integer overflow";
		case FPE_FLTDIV: return "FPE_FLTDIV: floating-point divide by zero";
		case FPE_FLTOVF: return "FPE_FLTOVF: floating-point overflow";
		case FPE_FLTUND: return "FPE_FLTUND: floating-point underflow";
		case FPE_FLTRES: return "FPE_FLTRES: floating-point inexact result";
		case FPE_FLTINV: return "FPE_FLTINV: invalid floating-point operation";
		case FPE_FLTSUB: return "FPE_FLTSUB: subscript out of range";
		}
	} else if (sig == SIGTRAP) {
		switch (code) {
		case TRAP_BRKPT: return "TRAP_BRKPT: breakpoint";
		case TRAP_TRACE: return "TRAP_TRACE: trace trap";
		}
	}
	if (sig == SIGSEGV) {
		switch (code) {
		case SEGV_MAPERR: return "SEGV_MAPERR: address not mapped";
		case SEGV_ACCERR: return "SEGV_ACCERR: no permission for this access";
		}
	} else if (sig == SIGBUS) {
		switch (code) {
		case BUS_ADRALN: return "BUS_ADRALN";
		case BUS_ADRERR: return "BUS_ADRERR: nonexistent physical address (file truncated?)";
		case BUS_OBJERR: return "BUS_OBJERR";
		}
	} else if (sig == SIGILL) {
		switch (code) {
		case ILL_ILLOPC: return "ILL_ILLOPC: illegal opcode";
		case ILL_ILLOPN: return "ILL_ILLOPN";
		case ILL_PRVOPC: return "ILL_PRVOPC";
		}
	}
	return "si_code unknown";
}


static void
report_fact(FILE *out, const struct fact *x)
{
	if (!x->was_gone && !x->unmapped_file) {
		if (!x->region) {
			/* The history sees library and file unmaps, not every
			   anonymous munmap: no claim about what was there. */
			fprintf(out, "  %-8s %#llx is not mapped%s\n", x->label,
				(unsigned long long)x->addr,
				x->addr < 0x10000 ? " (the lowest 64 KiB never are)" :
				"; no library or file the tool saw was there");
			return;
		}
		fprintf(out, "  %-8s %#llx is in ", x->label, (unsigned long long)x->addr);
		quote_print(out, x->region);
		if (x->section && !x->live_symbol)
			fprintf(out, " (%s)", x->section);
		if (x->live_symbol)
			fprintf(out, ": %s", x->live_symbol);
		if (x->live_symbol && x->live_sym_offset)
			fprintf(out, "+%#llx", (unsigned long long)x->live_sym_offset);
		fputc('\n', out);
		return;
	}
	fprintf(out, "  %-8s %#llx was in ", x->label, (unsigned long long)x->addr);
	if (x->unmap_call) {
		/* Seen as it happened: exact, and with its caller below. */
		if (x->path) {
			quote_print(out, x->path);
			fprintf(out, " (%s)", x->perms);
		} else if (x->contents_unknown) {
			fputs("memory mapped since the tool's last look", out);
		} else {
			fprintf(out, "anonymous memory (%s)", x->perms);
		}
		fprintf(out, ", removed by %s %.3f ms before the fault\n", x->unmap_call,
			x->gone_before * 1e3);
		return;
	}
	quote_print(out, x->path);
	fprintf(out, " (%s%s%s%s), unmapped %s%.3f ms before the fault\n", x->perms,
		x->unmapped_file ? ", a file mapped as data" : "",
		x->build_id ? ", build-id " : "", x->build_id ? x->build_id : "",
		x->gone_time_exact ? "" : "at most ", x->gone_before * 1e3);
	if (x->now_covered_by)
		fprintf(out, "  %-8s now covered by %s, mapped there after the unload\n", "",
			x->now_covered_by);
	if (!x->symbol)
		return;
	fprintf(out, "  %-8s %s", "symbol", x->symbol);
	if (x->sym_offset)
		fprintf(out, " +%#llx", (unsigned long long)x->sym_offset);
	if (x->slot >= 0)
		fprintf(out, "\n  %-8s = slot %ld: %s", "", x->slot,
			x->slot_function ? x->slot_function : "(unknown function)");
	else if (x->slot_function)
		fprintf(out, "\n  %-8s = %s", "", x->slot_function);
	fputc('\n', out);
}

static void print_wrapped(FILE *out, const char *label, const char *text);

static void
report_dlclose(FILE *out, const struct finding *f, const char *label)
{
	struct finding_close c;
	report_finding_close(f, &c);
	if (c.dlclose) {
		fprintf(out, "  %s in thread %d at %.3f ms%s:\n", label, c.dlclose->tid,
			c.dlclose->t * 1e3, c.ns);
		report_stack(out, &c.dlclose->stack, "           ");
		if (c.deferred[0])
			print_wrapped(out, "", c.deferred);
	} else if (c.unload) {
		fprintf(out, "  unloaded at %.3f ms%s (%s; no dlclose call was seen)\n",
			c.unload->t * 1e3, c.ns, tl_kind_name(c.unload->kind));
	}
}

void
report_finding_close(const struct finding *f, struct finding_close *c)
{
	const struct timeline *tl = &f->proc->timeline;
	c->dlclose = f->dlclose_event ? timeline_find(tl, f->dlclose_event) : NULL;
	c->unload = f->unload_event ? timeline_find(tl, f->unload_event) : NULL;
	/* A library of another link-map namespace (dlmopen) says which. */
	c->ns[0] = c->deferred[0] = '\0';
	if (c->unload)
		report_format_namespace(c->unload, c->ns, sizeof(c->ns));
	if (c->dlclose && !report_deferred(f->proc, c->unload, c->deferred, sizeof(c->deferred)))
		c->deferred[0] = '\0';
}

static void
report_argv(FILE *out, const struct process *p)
{
	fprintf(out, "  process  pid %d, ", p->pid);
	quote_print(out, p->exe);
	fputc(':', out);
	report_print_argv(out, p);
	fputc('\n', out);
}

/* "  label    text", folded at about 90 columns under the text. */
static void
print_wrapped(FILE *out, const char *label, const char *text)
{
	const int width = 90, indent = 11;
	fprintf(out, "  %-8s ", label);
	int col = indent;
	while (*text) {
		size_t word = strcspn(text, " ");
		if (col > indent && col + (int)word > width) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', out);
			col++;
		}
		fwrite(text, 1, word, out);
		col += (int)word;
		text += word;
		while (*text == ' ')
			text++;
	}
	fputc('\n', out);
}

static bool
has_object_refs(const struct finding *f)
{
	for (size_t i = 0; i < f->nrefs; i++)
		if (f->refs[i].kind == FREF_OBJECT)
			return true;
	return false;
}

/* A thread that is in the library's code is the one that made the dlclose:
   the library closed its own handle. */
static bool
closed_from_inside(const struct finding *f)
{
	const struct tl_event *dlc = f->dlclose_event ?
				     timeline_find(&f->proc->timeline, f->dlclose_event) : NULL;
	for (size_t i = 0; dlc && i < f->nthreads; i++)
		if (f->threads[i].tid == dlc->tid)
			return true;
	return false;
}

const char *
report_fix(const struct finding *f)
{
	if (f->kind == FINDING_LATENT && f->latent_kind == LATENT_THREADS && closed_from_inside(f))
		return "the plugin's own code called dlclose on its handle, and returns into "
		       "itself: let the code that loaded it unload it, once no call into the "
		       "plugin is in progress";
	if (f->kind == FINDING_LATENT && f->latent_kind == LATENT_THREADS)
		return "stop the threads the plugin started, and join them, before it is unloaded "
		       "(a plugin's destructor or shutdown function is the place)";
	if (f->kind == FINDING_LATENT && f->latent_kind == LATENT_HANDLERS)
		return "put back the previous handler (the old action sigaction returned when the "
		       "plugin installed its own) before the plugin is unloaded";
	if (f->kind == FINDING_LATENT && has_object_refs(f))
		return "take the plugin's objects out of the host's registries (its destructors "
		       "can), and destroy what it created, before it is unloaded; or keep it "
		       "loaded as long as the host uses them";
	if (f->handler_sig)
		return "put back the previous handler before the plugin that installed this one is "
		       "unloaded (RTLD_NODELETE hides the crash without fixing the order)";
	if (f->kind == FINDING_LATENT)
		return "destroy what the plugin created before it is unloaded, or keep its loader "
		       "alive longer than what it created";
	return "destroy everything the plugin created (objects, shared_ptr/weak_ptr control "
	       "blocks, std::function, callbacks, handlers) before it is unloaded, or keep its "
	       "loader alive longer than what it created; RTLD_NODELETE (or -Wl,-z,nodelete) "
	       "hides the crash without fixing the order";
}

const char *
report_latent_consequence(const struct finding *f)
{
	static char buf[512];
	const char *lib = path_basename(f->library);
	if (f->latent_kind == LATENT_THREADS && f->pinned)
		snprintf(buf, sizeof(buf), "a build in which %s is really unmapped (for example a "
			 "Clang build) would crash when these threads run on in its code or return "
			 "into it", lib);
	else if (f->latent_kind == LATENT_THREADS)
		snprintf(buf, sizeof(buf), "each of these threads faults when it resumes in the "
			 "unloaded code or returns into it");
	else if (f->latent_kind == LATENT_HANDLERS && f->pinned)
		snprintf(buf, sizeof(buf), "a build in which %s is really unmapped (for example a "
			 "Clang build) would crash when one of these signals is delivered", lib);
	else if (f->latent_kind == LATENT_HANDLERS)
		snprintf(buf, sizeof(buf), "the process faults when one of these signals is next "
			 "delivered: the kernel calls the handler in unmapped code");
	else if (f->possible)
		snprintf(buf, sizeof(buf), "if these objects are still live, %s when they are "
			 "destroyed or called; they may be freed blocks, so they are not counted",
			 f->pinned ? "a build in which the library is really unmapped would crash"
				   : "the process will fault");
	else if (f->pinned)
		snprintf(buf, sizeof(buf), "a build in which %s is really unmapped (for example a "
			 "Clang build) would crash when these objects are destroyed or called",
			 path_basename(f->library));
	else if (has_object_refs(f))
		snprintf(buf, sizeof(buf), "the process will fault when these objects are used "
			 "or destroyed, or these pointers called");
	else
		snprintf(buf, sizeof(buf), "the process will fault when these objects are "
			 "destroyed or these pointers called");
	return buf;
}

void
report_fault(FILE *out, const struct finding *f)
{
	if (f->sig == SIGKILL)
		fprintf(out, "%s: pid %d (%s) was killed by SIGKILL at %.3f ms\n", PACKAGE,
			f->pid, shown_name(f->proc), f->t * 1e3);
	else
		fprintf(out, "%s: pid %d (%s) thread %d received SIG%s (%s) at %.3f ms\n",
			PACKAGE, f->pid, shown_name(f->proc), f->tid,
			report_signal_name(f->sig), report_si_code_name(f->sig, f->si_code),
			f->t * 1e3);
	/* One line, whatever names it holds: tools grep for it. */
	fputs("  ", out);
	quote_print(out, f->verdict);
	fputc('\n', out);
	if (f->sent)
		fprintf(out, "  %-8s %s\n", "sender", f->sender);
	if (f->abort_message) {
		fprintf(out, "  %-8s ", "message");
		quote_print(out, f->abort_message);
		fputc('\n', out);
	}
	for (size_t i = 0; i < f->nfacts; i++) {
		report_fact(out, &f->facts[i]);
		if (i == 0 && f->pc_is_addr)
			fprintf(out, "  pc       the same address: the fault is the jump there\n");
	}
	if (f->insn) {
		fprintf(out, "  %-8s %s", "insn", f->insn);
		if (f->insn_addr != f->pc)
			fprintf(out, " at %#llx (the call or jump that went there)",
				(unsigned long long)f->insn_addr);
		for (unsigned int i = 0; i < f->ninsn_regs; i++)
			fprintf(out, "%s%s=%#llx", i ? " " : "  [", f->insn_regs[i].name,
				(unsigned long long)f->insn_regs[i].value);
		if (f->ninsn_regs)
			fputc(']', out);
		fputc('\n', out);
	}
	if (f->object)
		fprintf(out, "  object   %#llx (%s, held in %s) still points at %#llx in %s\n",
			(unsigned long long)f->object, f->object_region, f->object_reg,
			(unsigned long long)f->object_vptr, path_basename(f->library));
	if (f->blames_library)
		report_dlclose(out, f, "unloaded by dlclose");
	if (f->unmap_call) {
		fprintf(out, "  unmapped by %s in thread %d at %.3f ms:\n", f->unmap_call,
			f->unmap_tid, f->unmap_t * 1e3);
		report_stack(out, &f->unmap_stack, "           ");
	}
	if (f->stack.n) {
		fprintf(out, "  crashed  in thread %d:\n", f->tid);
		report_stack(out, &f->stack, "           ");
	}
	if (f->blames_library)
		print_wrapped(out, "fix", report_fix(f));
	report_argv(out, f->proc);
	fprintf(out, "  signature %s\n", f->signature);
	fflush(out);
}

void
report_on_finding(const struct finding *f, void *arg)
{
	const struct report_options *o = arg;
	if (f->kind == FINDING_FAULT) {
		report_findings.faults++;
		report_findings.unloaded_faults += f->blames_library;
		report_fault(o->out, f);
		return;
	}
	report_findings.latent += finding_latent_count(f);
	report_latent(o->out, f);
}

void
report_latent(FILE *out, const struct finding *f)
{
	size_t live = f->nrefs;
	fprintf(out, "%s: pid %d (%s): %s\n", PACKAGE, f->pid, shown_name(f->proc), f->verdict);
	fprintf(out, "  library  %s %#llx-%#llx%s%s\n", f->library,
		(unsigned long long)f->lib_start, (unsigned long long)f->lib_end,
		f->library_build_id ? ", build-id " : "",
		f->library_build_id ? f->library_build_id : "");
	if (f->pinned && f->pin_note)
		fprintf(out, "  why      %s\n", f->pin_note);
	size_t shown = 0;
	for (; shown < live && shown < 10; shown++) {
		const struct finding_ref *r = &f->refs[shown];
		if (r->kind == FREF_VPTR) {
			static const char prefix[] = "vtable for ";
			const char *cls = strncmp(r->symbol, prefix, sizeof(prefix) - 1) == 0 ?
					  r->symbol + sizeof(prefix) - 1 : r->symbol;
			fprintf(out, "  object   %#llx (%s%s) of class %s: its vptr %#llx points at "
				"its vtable\n", (unsigned long long)r->where, r->place,
				r->possible ? ", maybe freed" : "", cls,
				(unsigned long long)r->value);
		} else if (r->kind == FREF_OBJECT) {
			fprintf(out, "  object   %#llx (%s) points at %s, an object%s%s in the "
				"library's data\n", (unsigned long long)r->where, r->place, r->symbol,
				r->object_class ? " of class " : "",
				r->object_class ? r->object_class : "");
		} else {
			fprintf(out, "  function %#llx (%s%s) holds a pointer to %s\n",
				(unsigned long long)r->where, r->place,
				r->possible ? ", maybe freed" : "", r->symbol);
		}
	}
	if (live > shown)
		fprintf(out, "  ...      and %zu more\n", live - shown);
	for (size_t i = 0; i < f->nthreads; i++) {
		const struct finding_thread *t = &f->threads[i];
		char sym[512] = "?";
		if (t->first < t->stack.n)
			report_frame_symbol(&t->stack.v[t->first], sym, sizeof(sym));
		fprintf(out, "  thread   %d (", t->tid);
		quote_print(out, t->name);
		fprintf(out, ") %s %s:\n", t->at_pc ? "runs" : "returns into", sym);
		report_stack(out, &t->stack, "           ");
	}
	for (size_t i = 0; i < f->nhandlers; i++) {
		const struct finding_handler *h = &f->handlers[i];
		if (h->handler_in)
			fprintf(out, "  handler  SIG%s: %s at %#llx\n", report_signal_name(h->sig),
				h->symbol, (unsigned long long)h->handler);
		else
			fprintf(out, "  handler  SIG%s: its sa_restorer %s at %#llx\n",
				report_signal_name(h->sig), h->symbol,
				(unsigned long long)h->restorer);
	}
	if (f->weak_refs)
		fprintf(out, "  also     %u other word%s point%s into it (freed memory, stacks or "
			"plain data: no evidence of use, not counted)\n", f->weak_refs,
			f->weak_refs > 1 ? "s" : "", f->weak_refs > 1 ? "" : "s");
	if (f->possible_reason)
		fprintf(out, "  possible %s\n", f->possible_reason);
	report_dlclose(out, f, "dlclose ");
	print_wrapped(out, "verdict", report_latent_consequence(f));
	print_wrapped(out, "fix", report_fix(f));
	fprintf(out, "  signature %s\n", f->signature);
	fflush(out);
}
