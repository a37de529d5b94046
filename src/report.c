#include "config.h"
#include "report.h"
#include "solib.h"
#include "tracee.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

struct report_options report_options = { .out = NULL };
struct report_findings report_findings;

const char *
report_basename(const char *path)
{
	if (!path)
		return "?";
	const char *s = strrchr(path, '/');
	return s && s[1] ? s + 1 : path;
}

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

void
report_stack(FILE *out, const struct stack *s, const char *indent)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct frame *f = &s->v[i];
		char sym[512];
		if (f->symbol && f->sym_offset)
			snprintf(sym, sizeof(sym), "%s+%#llx", f->symbol,
				 (unsigned long long)f->sym_offset);
		else if (f->symbol)
			snprintf(sym, sizeof(sym), "%s", f->symbol);
		else
			snprintf(sym, sizeof(sym), "%#llx", (unsigned long long)f->pc);
		fprintf(out, "%s#%-2zu %-50s %s%s\n", indent, i, sym,
			f->module ? report_basename(f->module) : "??",
			f->in_gone_mapping ? " (unloaded)" : "");
	}
	if (s->truncated)
		fprintf(out, "%s... (deeper frames not shown)\n", indent);
}

static void
report_event(FILE *out, const struct process *p, const struct tl_event *e)
{
	char extra[256] = "";
	fprintf(out, "  %10.3f ms  %-8s ", e->t * 1e3, tl_kind_name(e->kind));
	switch (e->kind) {
	case TL_EXEC:
		fprintf(out, "%s\n", e->path ? e->path : "?");
		break;
	case TL_LOAD:
		if (e->flags >= 0 && e->flags != 0)
			solib_format_flags(e->flags, extra, sizeof(extra));
		fprintf(out, "%s  %#llx-%#llx%s%s\n", e->path, (unsigned long long)e->start,
			(unsigned long long)e->end, extra[0] ? "  " : "", extra);
		break;
	case TL_UNLOAD: {
		const struct tl_event *by = e->ref ? timeline_find(&p->timeline, e->ref) : NULL;
		fprintf(out, "%s  %#llx-%#llx  mappings gone", e->path,
			(unsigned long long)e->start, (unsigned long long)e->end);
		if (by)
			fprintf(out, " (dlclose at %.3f ms)", by->t * 1e3);
		fputc('\n', out);
		break;
	}
	case TL_DLOPEN:
		solib_format_flags(e->flags, extra, sizeof(extra));
		fprintf(out, "%s  %s\n", e->path, extra);
		break;
	case TL_DLCLOSE:
		fprintf(out, "%s  handle %#llx, called from:\n",
			e->path ? e->path : "(unknown handle)", (unsigned long long)e->handle);
		report_stack(out, &e->stack, "                           ");
		break;
	case TL_DLCLOSE_KEPT:
		fprintf(out, "%s still mapped after dlclose returned %d  %#llx-%#llx\n",
			e->path, e->status, (unsigned long long)e->start,
			(unsigned long long)e->end);
		if (e->note)
			fprintf(out, "                         %s\n", e->note);
		break;
	case TL_MAP_GONE:
		fprintf(out, "%s  %#llx-%#llx\n", e->path ? e->path : "(anonymous)",
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
	}
}

static void
report_process_header(FILE *out, const struct process *p)
{
	fprintf(out, "%s: pid %d (%s), parent %d:", PACKAGE, p->pid, process_name(p),
		p->parent_pid);
	for (char **a = p->argv; a && *a; a++)
		fprintf(out, " %s", *a);
	fputc('\n', out);
}

void
report_timelines(const struct report_options *o)
{
	if (o->quiet)
		return;
	for (const struct process *p = process_list; p; p = p->next) {
		/* A fork that exec'd at once has nothing to tell. */
		if (p->exec_ended && p->timeline.n == 0)
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
