#include "config.h"
#include "report_json.h"
#include "supervisor.h"
#include "atomic_file.h"
#include "debuginfo.h"
#include "error.h"
#include "finding.h"
#include "json.h"
#include "report.h"
#include "solib.h"
#include "tracee.h"
#include "xmalloc.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#define SCHEMA_ID "https://teardown-audit.invalid/report/1"

bool
report_json_check(const char *path)
{
	return atomic_file_check(path, "JSON report");
}

static void
write_status(struct json *j, const char *k, int st)
{
	json_object_begin(j, k);
	if (WIFEXITED(st)) {
		json_string(j, "how", "exited");
		json_int(j, "code", WEXITSTATUS(st));
	} else if (WIFSIGNALED(st)) {
		json_string(j, "how", "killed");
		char name[32];
		snprintf(name, sizeof(name), "SIG%s", report_signal_name(WTERMSIG(st)));
		json_string(j, "signal", name);
		json_bool(j, "core_dumped", WCOREDUMP(st));
	} else {
		json_string(j, "how", "unknown");
	}
	json_int(j, "wait_status", st);
	json_object_end(j);
}

/* The command's end; after -p and a detach it did not end: it runs on. */
static void
write_command_status(struct json *j, int status)
{
	const struct process *last = NULL;
	for (const struct process *p = process_list; p; p = p->next)
		if (p->pid == supervisor_command_pid())
			last = p;
	if (!last || !report_process_let_go(last)) {
		write_status(j, "status", status);
		return;
	}
	json_object_begin(j, "status");
	json_string(j, "how", "detached");
	json_int(j, "wait_status", status);
	json_object_end(j);
}

static void
write_frames(struct json *j, const char *k, const struct stack *s)
{
	debuginfo_fill_stack(s);
	json_array_begin(j, k);
	for (size_t i = 0; i < s->n; i++) {
		const struct frame *f = &s->v[i];
		json_object_begin(j, NULL);
		json_hex(j, "pc", f->pc);
		json_string(j, "module", f->module);
		json_string(j, "build_id", f->build_id);
		if (f->symbol || f->module_offset)
			json_hex(j, "module_offset", f->module_offset);
		json_string(j, "symbol", f->symbol);
		if (f->symbol)
			json_int(j, "symbol_offset", (long long)f->sym_offset);
		json_bool(j, "unloaded", f->in_gone_mapping);
		json_bool(j, "signal_frame", f->signal_frame);
		json_string(j, "source_file", f->source_file);
		if (f->source_file)
			json_int(j, "source_line", f->source_line);
		else
			json_null(j, "source_line");
		json_array_begin(j, "inlined");
		for (size_t n = 0; n < f->ninlined; n++) {
			json_object_begin(j, NULL);
			json_string(j, "function", f->inlined[n].function);
			json_string(j, "source_file", f->inlined[n].file);
			json_int(j, "source_line", f->inlined[n].line);
			json_object_end(j);
		}
		json_array_end(j);
		json_object_end(j);
	}
	json_array_end(j);
}

static void
write_event(struct json *j, const struct tl_event *e)
{
	json_object_begin(j, NULL);
	json_int(j, "id", e->id);
	json_string(j, "kind", tl_kind_name(e->kind));
	json_double(j, "time_ms", e->t * 1e3);
	json_int(j, "tid", e->tid);
	if (e->path)
		json_string(j, "path", e->path);
	if (e->file)
		json_string(j, "file", e->file);
	switch (e->kind) {
	case TL_LOAD:
	case TL_UNLOAD:
	case TL_MAP_GONE:
	case TL_DLCLOSE_KEPT:
		json_hex(j, "start", e->start);
		json_hex(j, "end", e->end);
		break;
	default:
		break;
	}
	if (e->kind == TL_DLOPEN || (e->kind == TL_LOAD && e->flags > 0)) {
		char flags[128];
		solib_format_flags(e->flags, flags, sizeof(flags));
		json_string(j, "flags", flags);
	}
	if (e->kind == TL_DLOPEN && e->dlmopen) {
		char lmid[32];
		solib_format_lmid(e->lmid, lmid, sizeof(lmid));
		json_string(j, "call", "dlmopen");
		json_string(j, "lmid", lmid);
	}
	/* The base namespace is the default: said only for the others. */
	if (e->ns && (e->kind == TL_LOAD || e->kind == TL_UNLOAD || e->kind == TL_DLOPEN ||
		      e->kind == TL_DLCLOSE || e->kind == TL_DLCLOSE_KEPT))
		json_int(j, "namespace", e->ns);
	if (e->kind == TL_DLCLOSE || e->kind == TL_DLCLOSE_KEPT || e->kind == TL_UNLOAD)
		json_hex(j, "handle", e->handle);
	if (e->kind == TL_LOAD || e->kind == TL_UNLOAD)
		json_hex(j, "base", e->base);
	if (e->ref)
		json_int(j, "dlclose_event", e->ref);
	if (e->dlopen_ref)
		json_int(j, "dlopen_event", e->dlopen_ref);
	if (e->outer_ref)
		json_int(j, "outer_dlclose_event", e->outer_ref);
	if (e->kind == TL_DLCLOSE)
		write_frames(j, "stack", &e->stack);
	if (e->kind == TL_DLCLOSE_KEPT) {
		json_int(j, "dlclose_returned", e->status);
		json_string(j, "why", e->note);
	}
	if (e->kind == TL_FAULT) {
		char name[32];
		snprintf(name, sizeof(name), "SIG%s", report_signal_name(e->status));
		json_string(j, "signal", name);
		json_hex(j, "address", e->addr);
	}
	if (e->kind == TL_EXIT)
		write_status(j, "status", e->status);
	if (e->kind == TL_LOAD && e->at_attach)
		json_bool(j, "before_attach", true);
	if (e->kind == TL_ATTACH)
		json_int(j, "threads", e->status);
	json_object_end(j);
}

/* How an image ended (doc/report.schema.json's process_end). */
static void
write_end(struct json *j, const struct process *p)
{
	const char *how = p->exec_ended ? "exec" :
			  p->ended ? NULL :
			  report_process_let_go(p) ? "detached" : "unknown";
	if (!how) {
		write_status(j, "end", p->wait_status);
		return;
	}
	json_object_begin(j, "end");
	json_string(j, "how", how);
	json_object_end(j);
}

static void
write_process(struct json *j, const struct process *p)
{
	json_object_begin(j, NULL);
	json_int(j, "image", p->seq);
	json_int(j, "pid", p->pid);
	json_int(j, "parent", p->parent_pid);
	json_string(j, "exe", p->exe);
	json_array_begin(j, "argv");
	for (char **a = p->argv; a && *a; a++)
		json_string(j, NULL, *a);
	json_array_end(j);
	json_double(j, "started_ms", p->started_at * 1e3);
	if (p->ended)
		json_double(j, "ended_ms", p->ended_at * 1e3);
	write_end(j, p);
	json_array_begin(j, "events");
	for (size_t i = 0; i < p->timeline.n; i++)
		write_event(j, &p->timeline.v[i]);
	json_array_end(j);
	json_object_end(j);
}

/* One line of the summary: the last image of a pid. */
static void
write_summary_row(struct json *j, const struct process *p)
{
	struct process_tally t;
	report_process_tally(p, &t);
	json_object_begin(j, NULL);
	json_int(j, "pid", p->pid);
	json_int(j, "image", p->seq);
	json_string(j, "exe", p->exe);
	write_end(j, p);
	json_int(j, "faults", t.faults);
	json_int(j, "unloaded_library_faults", t.unloaded_faults);
	json_int(j, "latent_findings", t.latent);
	json_object_end(j);
}

static void
write_fact(struct json *j, const struct fact *x)
{
	json_object_begin(j, NULL);
	json_string(j, "label", x->label);
	json_hex(j, "address", x->addr);
	json_bool(j, "in_unloaded_library", x->was_gone);
	if (x->was_gone) {
		json_string(j, "file", x->path);
		json_string(j, "permissions", x->perms);
		json_string(j, "build_id", x->build_id);
		json_double(j, "unmapped_ms_before", x->gone_before * 1e3);
		json_bool(j, "unmapped_time_exact", x->gone_time_exact);
		json_string(j, "now_covered_by", x->now_covered_by);
		if (x->has_module_offset)
			json_hex(j, "module_offset", x->module_offset);
		json_string(j, "symbol", x->symbol);
		if (x->symbol)
			json_int(j, "symbol_offset", (long long)x->sym_offset);
		if (x->slot >= 0)
			json_int(j, "vtable_slot", x->slot);
		json_string(j, "slot_function", x->slot_function);
	} else {
		json_string(j, "region", x->region);
		if (x->section)
			json_string(j, "section", x->section);
		json_string(j, "symbol", x->live_symbol);
		if (x->live_symbol)
			json_int(j, "symbol_offset", (long long)x->live_sym_offset);
		if (x->unmapped_file) {
			if (x->unmap_call)
				json_string(j, "unmapped_by", x->unmap_call);
			if (x->contents_unknown)
				json_bool(j, "contents_unknown", true);
			json_string(j, "unmapped_file", x->path);
			json_string(j, "permissions", x->perms);
			json_double(j, "unmapped_ms_before", x->gone_before * 1e3);
			json_bool(j, "unmapped_time_exact", x->gone_time_exact);
		}
	}
	json_object_end(j);
}

static void
write_instruction(struct json *j, const struct finding *f)
{
	json_object_begin(j, "instruction");
	json_hex(j, "address", f->insn_addr);
	json_string(j, "text", f->insn);
	json_array_begin(j, "registers");
	for (unsigned int i = 0; i < f->ninsn_regs; i++) {
		json_object_begin(j, NULL);
		json_string(j, "name", f->insn_regs[i].name);
		json_hex(j, "value", f->insn_regs[i].value);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static void
write_finding(struct json *j, const struct finding *f)
{
	json_object_begin(j, NULL);
	json_string(j, "kind", f->kind == FINDING_FAULT ? "fault" : "latent");
	json_string(j, "signature", f->signature);
	json_string(j, "category", f->category);
	json_string(j, "verdict", f->verdict);
	json_int(j, "image", f->proc->seq);
	json_int(j, "pid", f->pid);
	json_int(j, "tid", f->tid);
	json_double(j, "time_ms", f->t * 1e3);
	json_bool(j, "unloaded_library_involved", f->blames_library);
	if (f->library) {
		json_object_begin(j, "library");
		json_string(j, "path", f->library);
		json_string(j, "build_id", f->library_build_id);
		json_object_end(j);
	}
	if (f->dlclose_event)
		json_int(j, "dlclose_event", f->dlclose_event);
	if (f->unload_event)
		json_int(j, "unload_event", f->unload_event);
	if (f->kind == FINDING_FAULT) {
		char name[32];
		snprintf(name, sizeof(name), "SIG%s", report_signal_name(f->sig));
		json_string(j, "signal", name);
		json_int(j, "signal_number", f->sig);
		json_int(j, "si_code", f->si_code);
		json_string(j, "si_code_name", report_si_code_name(f->sig, f->si_code));
		if (f->fault_event)
			json_int(j, "fault_event", f->fault_event);
		json_hex(j, "address", f->addr);
		json_hex(j, "pc", f->pc);
		json_bool(j, "history_known", f->history_known);
		if (f->sent) {
			json_object_begin(j, "sender");
			json_int(j, "pid", f->sender_pid);
			json_int(j, "uid", f->sender_uid);
			json_string(j, "description", f->sender);
			json_object_end(j);
		}
		if (f->unmap_call) {
			json_object_begin(j, "unmapped_by");
			json_string(j, "call", f->unmap_call);
			json_int(j, "tid", f->unmap_tid);
			json_double(j, "time_ms", f->unmap_t * 1e3);
			write_frames(j, "stack", &f->unmap_stack);
			json_object_end(j);
		}
		if (f->abort_message)
			json_string(j, "abort_message", f->abort_message);
		if (f->insn)
			write_instruction(j, f);
		json_array_begin(j, "facts");
		for (size_t i = 0; i < f->nfacts; i++)
			write_fact(j, &f->facts[i]);
		json_array_end(j);
		if (f->object) {
			json_object_begin(j, "object");
			json_hex(j, "address", f->object);
			json_hex(j, "vptr", f->object_vptr);
			json_string(j, "region", f->object_region);
			json_string(j, "register", f->object_reg);
			json_object_end(j);
		}
		write_frames(j, "stack", &f->stack);
		json_bool(j, "stack_truncated", f->stack.truncated);
		json_bool(j, "stack_stopped_at_unloaded_code", f->stack.stopped_unloaded);
		if (f->gdb_script)
			json_string(j, "gdb_script", f->gdb_script);
		if (f->handler_sig) {
			json_object_begin(j, "signal_handler_of");
			json_string(j, "signal", report_signal_name(f->handler_sig));
			json_int(j, "number", f->handler_sig);
			json_object_end(j);
		}
	} else {
		json_string(j, "latent_kind", finding_latent_kind_name(f->latent_kind));
		json_bool(j, "pinned", f->pinned);
		json_string(j, "why_mapped", f->pin_note);
		json_hex(j, "library_start", f->lib_start);
		json_hex(j, "library_end", f->lib_end);
		json_array_begin(j, "references");
		for (size_t i = 0; i < f->nrefs; i++) {
			const struct finding_ref *r = &f->refs[i];
			json_object_begin(j, NULL);
			json_string(j, "kind", finding_ref_kind_name(r->kind));
			json_hex(j, "where", r->where);
			json_hex(j, "value", r->value);
			json_string(j, "symbol", r->symbol);
			if (r->kind == FREF_OBJECT)
				json_string(j, "class", r->object_class);
			json_string(j, "place", r->place);
			json_string(j, "certainty", r->possible ? "possible" : "definite");
			json_object_end(j);
		}
		json_array_end(j);
		json_array_begin(j, "threads");
		for (size_t i = 0; i < f->nthreads; i++) {
			const struct finding_thread *t = &f->threads[i];
			json_object_begin(j, NULL);
			json_int(j, "tid", t->tid);
			json_string(j, "name", t->name);
			json_string(j, "in_library", t->at_pc ? "pc" : "return-address");
			json_int(j, "frame", (long long)t->first);
			write_frames(j, "stack", &t->stack);
			json_object_end(j);
		}
		json_array_end(j);
		json_array_begin(j, "signal_handlers");
		for (size_t i = 0; i < f->nhandlers; i++) {
			const struct finding_handler *h = &f->handlers[i];
			json_object_begin(j, NULL);
			json_string(j, "signal", report_signal_name(h->sig));
			json_int(j, "number", h->sig);
			json_hex(j, "handler", h->handler);
			if (h->restorer)
				json_hex(j, "restorer", h->restorer);
			else
				json_null(j, "restorer");
			json_string(j, "in_library", h->handler_in ? "handler" : "restorer");
			json_string(j, "symbol", h->symbol);
			json_object_end(j);
		}
		json_array_end(j);
		json_int(j, "weak_references", f->weak_refs);
		json_string(j, "certainty", f->possible ? "possible" : "definite");
		json_string(j, "possible_reason", f->possible_reason);
		json_string(j, "consequence", report_latent_consequence(f));
	}
	if (f->blames_library)
		json_string(j, "fix", report_fix(f));
	json_object_end(j);
}

bool
report_json_write(const char *path, char **command, int status)
{
	struct atomic_file af;
	if (!atomic_file_open(&af, path, "JSON report"))
		return false;
	struct json j;
	json_init(&j, af.f);
	json_object_begin(&j, NULL);
	json_string(&j, "$schema", SCHEMA_ID);
	json_string(&j, "tool", PACKAGE);
	json_string(&j, "version", PACKAGE_VERSION);
	json_array_begin(&j, "command");
	for (char **a = command; *a; a++)
		json_string(&j, NULL, *a);
	json_array_end(&j);
	write_command_status(&j, status);
	json_object_begin(&j, "summary");
	json_int(&j, "faults", report_findings.faults);
	json_int(&j, "unloaded_library_faults", report_findings.unloaded_faults);
	json_int(&j, "latent_references", report_findings.latent);
	json_array_begin(&j, "processes");
	for (const struct process *p = process_list; p; p = p->next)
		if (report_summary_shows(p))
			write_summary_row(&j, p);
	json_array_end(&j);
	json_object_end(&j);
	json_array_begin(&j, "findings");
	for (size_t i = 0; i < nfindings; i++)
		write_finding(&j, findings[i]);
	json_array_end(&j);
	json_array_begin(&j, "processes");
	for (const struct process *p = process_list; p; p = p->next)
		if (report_process_shown(p))
			write_process(&j, p);
	json_array_end(&j);
	json_object_end(&j);
	return atomic_file_commit(&af);
}
