#include "config.h"
#include "report_html.h"
#include "atomic_file.h"
#include "basename.h"
#include "debuginfo.h"
#include "finding.h"
#include "html.h"
#include "lifetime.h"
#include "report.h"
#include "solib.h"
#include "tracee.h"
#include "xmalloc.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* Timeline geometry, in pixels. */
#define SVG_LABEL_W	280	/* lane names */
#define SVG_PLOT_W	720	/* the time axis */
#define SVG_AXIS_H	28
#define SVG_ROW_H	16
#define SVG_BAR_H	10
/* Processes nested deeper than this in the tree are listed flat. */
#define TREE_MAX_DEPTH	64

static const char page_style[] =
"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
"margin:0 auto;max-width:1060px;padding:16px 20px;color:#1d232b;background:#fff}\n"
"h1{font-size:22px;margin:0 0 6px}h2{font-size:18px;margin:28px 0 8px;"
"border-bottom:1px solid #d0d7de;padding-bottom:4px}h3{font-size:15px;margin:0 0 6px}\n"
"code,.mono,td.sym,td.mod,td.src{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,monospace;"
"font-size:12.5px}\n"
".run p{margin:2px 0}.muted{color:#57606a}\n"
".finding{border:1px solid #d0d7de;border-left:6px solid #8c959f;border-radius:6px;"
"padding:10px 14px;margin:12px 0;background:#f6f8fa}\n"
".finding.blame{border-left-color:#cf222e;background:#fff5f5}\n"
".finding.latent{border-left-color:#bf8700;background:#fffbea}\n"
".verdict{font-size:16px;font-weight:600;margin:4px 0 8px}\n"
"table.facts{border-collapse:collapse;width:100%}\n"
"table.facts>tbody>tr>th{text-align:left;vertical-align:top;width:90px;"
"padding:2px 8px 2px 0;color:#57606a;font-weight:600}\n"
"table.facts>tbody>tr>td{padding:2px 0;word-break:break-word}\n"
"table.stack{border-collapse:collapse;margin:2px 0}\n"
"table.stack td{padding:0 10px 0 0;vertical-align:top;white-space:nowrap}\n"
"table.stack td.sym{white-space:normal;word-break:break-word}\n"
"table.stack tr.inl td{color:#57606a}table.stack tr.gone td.mod{color:#cf222e}\n"
".sig{font-family:ui-monospace,monospace;background:#eaeef2;padding:0 4px;border-radius:3px}\n"
".tree ul{list-style:none;margin:0;padding-left:18px}.tree>ul{padding-left:0}\n"
".tree li::before{content:'\\2514\\2500 ';color:#8c959f}.tree>ul>li::before{content:''}\n"
".proc{margin:14px 0 24px}.scroll{overflow-x:auto;border:1px solid #d0d7de;border-radius:6px}\n"
"svg.tl{display:block;background:#fff}\n"
".proc{content-visibility:auto;contain-intrinsic-size:auto 600px}\n"
"svg.tl text{font:11px ui-monospace,'DejaVu Sans Mono',monospace;fill:#1d232b}\n"
"svg.tl .axis line{stroke:#d0d7de}svg.tl .axis text{fill:#57606a}\n"
"svg.tl .bar{fill:#8fb8e8}svg.tl .bar.gone{fill:#b9c4cf}svg.tl .bar.proc{fill:#d8dee4}\n"
"svg.tl .row.fault rect.bg{fill:#ffe3e3}svg.tl .row.fault .bar{fill:#e5534b}\n"
"svg.tl .row.fault text{fill:#a40e26;font-weight:bold}\n"
"svg.tl .m{cursor:pointer}svg.tl .m:hover,svg.tl .m.sel{stroke:#000;stroke-width:2}\n"
"svg.tl .dlopen{fill:#1a7f37}svg.tl .dlclose{fill:#bc4c00}svg.tl .unload{fill:#24292f}\n"
"svg.tl .kept{fill:#8250df}svg.tl .fault{fill:#cf222e}svg.tl .exit{fill:#24292f}\n"
"svg.tl .exec{fill:#0969da}svg.tl .unmap{fill:#8c959f}\n"
"svg.tl line.faultline{stroke:#cf222e;stroke-dasharray:4 3}\n"
".legend{margin:6px 0;color:#57606a;font-size:12.5px}\n"
".legend svg.tl{display:inline-block;vertical-align:middle;background:none}\n"
"details.events{margin:6px 0}details.events>summary{cursor:pointer;color:#0969da}\n"
"table.ev{border-collapse:collapse;font-size:12.5px;width:100%}\n"
"table.ev td{padding:1px 8px 1px 0;vertical-align:top;border-top:1px solid #eaeef2}\n"
"table.ev td.t{text-align:right;white-space:nowrap;font-family:ui-monospace,monospace}\n"
"table.ev td.k{font-weight:600}table.ev td.p{word-break:break-all}\n"
"table.ev pre{margin:2px 0;font-size:12px;white-space:pre;overflow-x:auto;word-break:normal}\n"
"tr.evrow:target,tr.evrow.sel{background:#fff8c5}\n";

/* Clicking a marker selects its event's row (and opens the list and the
   row's stack).  Without JavaScript the tooltips still tell it all. */
static const char page_script[] =
"(function(){\n"
"function sel(id){\n"
" var row=document.getElementById(id);if(!row)return;\n"
" for(var d=row.parentNode;d;d=d.parentNode)if(d.tagName==='DETAILS')d.open=true;\n"
" var inner=row.querySelector('details');if(inner)inner.open=true;\n"
" var old=document.querySelectorAll('.sel');\n"
" for(var i=0;i<old.length;i++)old[i].classList.remove('sel');\n"
" row.classList.add('sel');\n"
" var ms=document.querySelectorAll('[data-ev=\"'+id+'\"]');\n"
" for(var j=0;j<ms.length;j++)ms[j].classList.add('sel');\n"
" row.scrollIntoView({block:'center'});\n"
"}\n"
"document.addEventListener('click',function(ev){\n"
" var m=ev.target.closest?ev.target.closest('.m[data-ev]'):null;if(!m)return;\n"
" var id=m.getAttribute('data-ev');sel(id);\n"
" if(history.replaceState)history.replaceState(null,'','#'+id);\n"
"});\n"
"if(location.hash.length>1)sel(location.hash.slice(1));\n"
"})();\n";

static const char *
signal_text(int sig, char *buf, size_t size)
{
	snprintf(buf, size, "SIG%s", report_signal_name(sig));
	return buf;
}

/* ---- stacks ---- */

static void
frame_source(const char *file, unsigned int line, char *buf, size_t size)
{
	snprintf(buf, size, "%s:%u", path_basename(file), line);
}

static void
stack_html(FILE *out, const struct stack *s)
{
	debuginfo_fill_stack(s);
	if (!s->n) {
		fputs("<span class=\"muted\">(no stack)</span>", out);
		return;
	}
	fputs("<table class=\"stack\"><tbody>", out);
	for (size_t i = 0; i < s->n; i++) {
		const struct frame *f = &s->v[i];
		const char *mod = f->module ? path_basename(f->module) : "??";
		char src[512];
		/* Calls inlined at the pc first, innermost first, as in the
		   text report. */
		for (size_t k = 0; k < f->ninlined; k++) {
			const struct src_inline *in = &f->inlined[k];
			fputs("<tr class=\"inl\"><td></td>", out);
			html_open(out, "td", "class", "sym", NULL);
			html_escape(out, in->function);
			fputs(" (inlined)</td>", out);
			html_element(out, "td", mod, "class", "mod", "title", f->module, NULL);
			frame_source(in->file, in->line, src, sizeof(src));
			html_element(out, "td", src, "class", "src", "title", in->file, NULL);
			fputs("</tr>", out);
		}
		if (f->signal_frame) {
			fprintf(out, "<tr class=\"inl\"><td class=\"n\">#%zu</td>"
				"<td class=\"sym\">&lt;signal handler called&gt;</td>"
				"<td class=\"mod\"></td><td class=\"src\"></td></tr>", i);
			continue;
		}
		char sym[1024];
		report_frame_symbol(f, sym, sizeof(sym));
		fprintf(out, "<tr%s><td class=\"n\">#%zu</td>",
			f->in_gone_mapping ? " class=\"gone\"" : "", i);
		html_element(out, "td", sym, "class", "sym", NULL);
		html_open(out, "td", "class", "mod", "title", f->module, NULL);
		html_escape(out, mod);
		if (f->in_gone_mapping)
			fputs(" (unloaded)", out);
		fputs("</td>", out);
		if (f->source_file) {
			frame_source(f->source_file, f->source_line, src, sizeof(src));
			html_element(out, "td", src, "class", "src", "title", f->source_file, NULL);
		} else {
			fputs("<td class=\"src\"></td>", out);
		}
		fputs("</tr>", out);
	}
	fputs("</tbody></table>", out);
	if (s->truncated)
		fputs("<div class=\"muted\">... (deeper frames not shown)</div>", out);
	if (s->stopped_unloaded)
		fputs("<div class=\"muted\">(end of stack: the unwinder could not go on past "
		      "unloaded code)</div>", out);
}

/* The stack as the text report writes it, escaped line by line: in a
   <pre> or an SVG <title> (a tooltip), one element however deep.  Long
   runs have thousands of dlclose stacks; a table per stack would make
   the page slow to open. */
static void
stack_text(FILE *out, const struct stack *s)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&buf, &size);
	if (!mem)
		return;
	report_stack(mem, s, "");
	if (fclose(mem) != 0 || !buf) {
		free(buf);
		return;
	}
	for (char *line = buf; *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		html_escape(out, line);
		if (!nl)
			break;
		fputc('\n', out);
		line = nl + 1;
	}
	free(buf);
}

/* ---- findings ---- */

static void
row_begin(FILE *out, const char *label)
{
	fputs("<tr>", out);
	html_element(out, "th", label, NULL);
	fputs("<td>", out);
}

static void
row_end(FILE *out)
{
	fputs("</td></tr>\n", out);
}

static void
row_text(FILE *out, const char *label, const char *text)
{
	row_begin(out, label);
	html_escape(out, text);
	row_end(out);
}

static void
fact_html(FILE *out, const struct fact *x)
{
	row_begin(out, x->label);
	fprintf(out, "<code>%#llx</code> ", (unsigned long long)x->addr);
	if (!x->was_gone && !x->unmapped_file) {
		if (!x->region) {
			fputs(x->addr < 0x10000 ? "is not mapped (the lowest 64 KiB never are)" :
			      "is not mapped; no library or file the tool saw was there", out);
		} else {
			fputs("is in ", out);
			html_element(out, "code", x->region, NULL);
			if (x->section && !x->live_symbol)
				html_escapef(out, " (%s)", x->section);
			if (x->live_symbol) {
				fputs(": ", out);
				html_open(out, "code", NULL);
				html_escape(out, x->live_symbol);
				if (x->live_sym_offset)
					html_escapef(out, "+%#llx",
						     (unsigned long long)x->live_sym_offset);
				fputs("</code>", out);
			}
		}
		row_end(out);
		return;
	}
	fputs("was in ", out);
	html_element(out, "code", x->path, NULL);
	html_escapef(out, " (%s%s%s%s), unmapped %s%.3f ms before the fault", x->perms,
		     x->unmapped_file ? ", a file mapped as data" : "",
		     x->build_id ? ", build-id " : "", x->build_id ? x->build_id : "",
		     x->gone_time_exact ? "" : "at most ", x->gone_before * 1e3);
	if (x->now_covered_by) {
		fputs("<br>now covered by ", out);
		html_element(out, "code", x->now_covered_by, NULL);
		fputs(", mapped there after the unload", out);
	}
	row_end(out);
	if (!x->symbol)
		return;
	row_begin(out, "symbol");
	html_open(out, "code", NULL);
	html_escape(out, x->symbol);
	if (x->sym_offset)
		fprintf(out, " +%#llx", (unsigned long long)x->sym_offset);
	fputs("</code>", out);
	if (x->slot >= 0) {
		fprintf(out, "<br>= slot %ld: ", x->slot);
		html_element(out, "code", x->slot_function ? x->slot_function :
			     "(unknown function)", "class", "slot", NULL);
	} else if (x->slot_function) {
		fputs("<br>= ", out);
		html_element(out, "code", x->slot_function, "class", "slot", NULL);
	}
	row_end(out);
}

static void
argv_html(FILE *out, const struct process *p)
{
	for (char **a = p->argv; a && *a; a++) {
		fputc(' ', out);
		html_escape(out, *a);
	}
}

/* The dlclose behind a finding, with its stack, and a link to it on the
   timeline. */
static void
dlclose_html(FILE *out, const struct finding *f, const char *label)
{
	struct finding_close c;
	report_finding_close(f, &c);
	if (c.dlclose) {
		row_begin(out, label);
		fprintf(out, "in thread %d at <a href=\"#e%u\">%.3f ms</a>%s:", c.dlclose->tid,
			c.dlclose->id, c.dlclose->t * 1e3, c.ns);
		stack_html(out, &c.dlclose->stack);
		row_end(out);
		if (c.deferred[0]) {
			row_begin(out, "unloaded");
			html_escape(out, c.deferred);
			row_end(out);
		}
	} else if (c.unload) {
		row_begin(out, "unloaded");
		fprintf(out, "at <a href=\"#e%u\">%.3f ms</a>%s (%s; no dlclose call was seen)",
			c.unload->id, c.unload->t * 1e3, c.ns, tl_kind_name(c.unload->kind));
		row_end(out);
	}
}

static void
finding_header(FILE *out, const struct finding *f)
{
	char sig[32];
	fputs("<h3>", out);
	if (f->kind == FINDING_LATENT)
		html_escapef(out, "pid %d (%s) at %.3f ms: %s %s", f->pid, process_name(f->proc),
			     f->t * 1e3, path_basename(f->library),
			     f->pinned ? "stayed mapped after its last dlclose" : "was unloaded");
	else if (f->sig == SIGKILL)
		html_escapef(out, "pid %d (%s) was killed by SIGKILL at %.3f ms", f->pid,
			     process_name(f->proc), f->t * 1e3);
	else
		html_escapef(out, "pid %d (%s) thread %d received %s (%s) at %.3f ms", f->pid,
			     process_name(f->proc), f->tid, signal_text(f->sig, sig, sizeof(sig)),
			     report_si_code_name(f->sig, f->si_code), f->t * 1e3);
	fputs("</h3>\n", out);
	html_element(out, "p", f->verdict, "class", "verdict", NULL);
	fputs("\n<table class=\"facts\"><tbody>\n", out);
}

static void
finding_footer(FILE *out, const struct finding *f)
{
	row_begin(out, "process");
	fprintf(out, "<a href=\"#p%u\">pid %d</a>, ", f->proc->seq, f->pid);
	html_element(out, "code", f->proc->exe, NULL);
	fputs(":<code>", out);
	argv_html(out, f->proc);
	fputs("</code>", out);
	row_end(out);
	row_begin(out, "signature");
	html_element(out, "span", f->signature, "class", "sig", NULL);
	row_end(out);
	fputs("</tbody></table>\n", out);
}

static void
fault_html(FILE *out, const struct finding *f)
{
	finding_header(out, f);
	if (f->sent)
		row_text(out, "sender", f->sender);
	if (f->abort_message)
		row_text(out, "message", f->abort_message);
	for (size_t i = 0; i < f->nfacts; i++) {
		fact_html(out, &f->facts[i]);
		if (i == 0 && f->pc_is_addr)
			row_text(out, "pc", "the same address: the fault is the jump there");
	}
	if (f->insn) {
		row_begin(out, "insn");
		html_element(out, "code", f->insn, NULL);
		if (f->insn_addr != f->pc)
			fprintf(out, " at <code>%#llx</code> (the call or jump that went there)",
				(unsigned long long)f->insn_addr);
		for (unsigned int i = 0; i < f->ninsn_regs; i++)
			html_escapef(out, "%s%s=%#llx", i ? " " : "  [", f->insn_regs[i].name,
				     (unsigned long long)f->insn_regs[i].value);
		if (f->ninsn_regs)
			fputc(']', out);
		row_end(out);
	}
	if (f->object) {
		row_begin(out, "object");
		html_escapef(out, "%#llx (%s, held in %s) still points at %#llx in %s",
			     (unsigned long long)f->object, f->object_region, f->object_reg,
			     (unsigned long long)f->object_vptr, path_basename(f->library));
		row_end(out);
	}
	if (f->blames_library)
		dlclose_html(out, f, "unloaded by dlclose");
	if (f->stack.n) {
		row_begin(out, "crashed");
		fprintf(out, "in thread %d", f->tid);
		if (f->fault_event)
			fprintf(out, " at <a href=\"#e%u\">%.3f ms</a>", f->fault_event, f->t * 1e3);
		fputc(':', out);
		stack_html(out, &f->stack);
		row_end(out);
	}
	if (f->blames_library)
		row_text(out, "fix", report_fix(f));
	finding_footer(out, f);
}

static void
latent_html(FILE *out, const struct finding *f)
{
	finding_header(out, f);
	row_begin(out, "library");
	html_element(out, "code", f->library, NULL);
	html_escapef(out, " %#llx-%#llx%s%s", (unsigned long long)f->lib_start,
		     (unsigned long long)f->lib_end, f->library_build_id ? ", build-id " : "",
		     f->library_build_id ? f->library_build_id : "");
	row_end(out);
	if (f->pinned && f->pin_note)
		row_text(out, "why", f->pin_note);
	for (size_t i = 0; i < f->nrefs; i++) {
		const struct finding_ref *r = &f->refs[i];
		if (r->kind == FREF_VPTR) {
			static const char prefix[] = "vtable for ";
			const char *cls = strncmp(r->symbol, prefix, sizeof(prefix) - 1) == 0 ?
					  r->symbol + sizeof(prefix) - 1 : r->symbol;
			row_begin(out, "object");
			html_escapef(out, "%#llx (%s) of class ", (unsigned long long)r->where,
				     r->place);
			html_element(out, "code", cls, NULL);
			html_escapef(out, ": its vptr %#llx points at its vtable",
				     (unsigned long long)r->value);
		} else if (r->kind == FREF_OBJECT) {
			row_begin(out, "object");
			html_escapef(out, "%#llx (%s) points at ", (unsigned long long)r->where,
				     r->place);
			html_element(out, "code", r->symbol, NULL);
			html_escapef(out, ", an object");
			if (r->object_class) {
				html_escapef(out, " of class ");
				html_element(out, "code", r->object_class, NULL);
			}
			html_escapef(out, " in the library's data");
		} else {
			row_begin(out, "function");
			html_escapef(out, "%#llx (%s) holds a pointer to ",
				     (unsigned long long)r->where, r->place);
			html_element(out, "code", r->symbol, NULL);
		}
		row_end(out);
	}
	for (size_t i = 0; i < f->nthreads; i++) {
		const struct finding_thread *t = &f->threads[i];
		char sym[512] = "?";
		if (t->first < t->stack.n)
			report_frame_symbol(&t->stack.v[t->first], sym, sizeof(sym));
		row_begin(out, "thread");
		html_escapef(out, "%d (%s) %s ", t->tid, t->name,
			     t->at_pc ? "runs" : "returns into");
		html_element(out, "code", sym, NULL);
		fputc(':', out);
		stack_html(out, &t->stack);
		row_end(out);
	}
	for (size_t i = 0; i < f->nhandlers; i++) {
		const struct finding_handler *h = &f->handlers[i];
		row_begin(out, "handler");
		html_escapef(out, "SIG%s: %s", report_signal_name(h->sig),
			     h->handler_in ? "" : "its sa_restorer ");
		html_element(out, "code", h->symbol, NULL);
		html_escapef(out, " at %#llx", (unsigned long long)(h->handler_in ? h->handler :
								   h->restorer));
		row_end(out);
	}
	if (f->weak_refs) {
		row_begin(out, "also");
		fprintf(out, "%u other word%s point%s into it (freed memory, stacks or plain "
			"data: no evidence of use, not counted)", f->weak_refs,
			f->weak_refs > 1 ? "s" : "", f->weak_refs > 1 ? "" : "s");
		row_end(out);
	}
	dlclose_html(out, f, "dlclose");
	row_text(out, "verdict", report_latent_consequence(f));
	row_text(out, "fix", report_fix(f));
	finding_footer(out, f);
}

static void
findings_html(FILE *out)
{
	fprintf(out, "<section id=\"findings\"><h2>Findings (%zu)</h2>\n", nfindings);
	if (!nfindings)
		fputs("<p>No fault and no latent reference was found.</p>\n", out);
	for (size_t i = 0; i < nfindings; i++) {
		const struct finding *f = findings[i];
		const char *cls = f->kind == FINDING_LATENT ? "finding latent" :
				  f->blames_library ? "finding fault blame" : "finding fault";
		fprintf(out, "<article class=\"%s\" id=\"f%u\">\n", cls, f->seq);
		if (f->kind == FINDING_LATENT)
			latent_html(out, f);
		else
			fault_html(out, f);
		fputs("</article>\n", out);
	}
	fputs("</section>\n", out);
}

/* ---- the process tree ---- */

/* A pid: its images (exec chain) are imgs[img, img + nimg). */
struct tree_node {
	size_t img, nimg;
	long parent, child, next;	/* indexes of nodes, -1: none */
};

static int
cmp_image(const void *a, const void *b)
{
	const struct process *x = *(const struct process *const *)a;
	const struct process *y = *(const struct process *const *)b;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

struct tree {
	const struct process **imgs;
	struct tree_node *nodes;
	size_t nnodes;
};

static unsigned int
node_seq(const struct tree *t, long i)
{
	return t->imgs[t->nodes[i].img]->seq;
}

static int
cmp_seq(const void *a, const void *b, void *arg)
{
	unsigned int x = node_seq(arg, *(const long *)a), y = node_seq(arg, *(const long *)b);
	return x < y ? -1 : x > y;
}

static void
tree_item(FILE *out, const struct tree *t, long i, int depth)
{
	const struct tree_node *n = &t->nodes[i];
	fputs("<li>", out);
	/* Every image of the pid, in order: a launcher's exec chain. */
	for (size_t k = 0; k < n->nimg; k++) {
		const struct process *p = t->imgs[n->img + k];
		fprintf(out, "%s<a href=\"#p%u\">", k ? " &rarr; exec " : "", p->seq);
		html_escapef(out, "pid %d %s", p->pid, process_name(p));
		fputs("</a>", out);
	}
	/* How the pid ended and what was found: the text report's summary. */
	const struct process *last = t->imgs[n->img + n->nimg - 1];
	char end[64];
	struct process_tally tally;
	report_format_end(last, end, sizeof(end));
	report_process_tally(last, &tally);
	fputs(" <span class=\"end\">&mdash; ", out);
	html_escape(out, end);
	if (tally.faults || tally.latent)
		html_escapef(out, ", %u fault%s (%u in unloaded code), %u latent", tally.faults,
			     tally.faults == 1 ? "" : "s", tally.unloaded_faults, tally.latent);
	else
		html_escape(out, ", no findings");
	fputs("</span>", out);
	if (n->child >= 0) {
		/* Deeper than this, listed flat: no recursion without end. */
		if (depth < TREE_MAX_DEPTH)
			fputs("<ul>", out);
		for (long c = n->child; c >= 0; c = t->nodes[c].next)
			tree_item(out, t, c, depth < TREE_MAX_DEPTH ? depth + 1 : depth);
		if (depth < TREE_MAX_DEPTH)
			fputs("</ul>", out);
	}
	fputs("</li>\n", out);
}

static void
tree_html(FILE *out)
{
	size_t n = 0;
	for (const struct process *p = process_list; p; p = p->next)
		n++;
	struct tree t;
	t.imgs = xcalloc(n ? n : 1, sizeof(*t.imgs));
	t.nodes = xcalloc(n ? n : 1, sizeof(*t.nodes));
	size_t nimgs = 0;
	for (const struct process *p = process_list; p; p = p->next)
		if (report_process_shown(p))
			t.imgs[nimgs++] = p;
	/* Images by pid, then in order: one node per pid. */
	qsort(t.imgs, nimgs, sizeof(*t.imgs), cmp_image);
	t.nnodes = 0;
	for (size_t i = 0; i < nimgs; i++) {
		if (i == 0 || t.imgs[i - 1]->pid != t.imgs[i]->pid)
			t.nodes[t.nnodes++] = (struct tree_node){ .img = i };
		t.nodes[t.nnodes - 1].nimg++;
	}
	for (size_t i = 0; i < t.nnodes; i++) {
		t.nodes[i].child = t.nodes[i].next = -1;
		/* The parent's node, by binary search on the pids. */
		pid_t parent = t.imgs[t.nodes[i].img]->parent_pid;
		long lo = 0, hi = (long)t.nnodes;
		while (lo < hi) {
			long mid = (lo + hi) / 2;
			if (t.imgs[t.nodes[mid].img]->pid < parent)
				lo = mid + 1;
			else
				hi = mid;
		}
		t.nodes[i].parent = lo < (long)t.nnodes &&
				    t.imgs[t.nodes[lo].img]->pid == parent && lo != (long)i ? lo : -1;
	}
	/* Children in order of creation: linked from the last. */
	long *order = xmalloc((t.nnodes ? t.nnodes : 1) * sizeof(*order));
	for (size_t i = 0; i < t.nnodes; i++)
		order[i] = (long)i;
	qsort_r(order, t.nnodes, sizeof(*order), cmp_seq, &t);
	for (size_t i = t.nnodes; i-- > 0;) {
		long c = order[i], par = t.nodes[c].parent;
		if (par >= 0) {
			t.nodes[c].next = t.nodes[par].child;
			t.nodes[par].child = c;
		}
	}
	fputs("<nav class=\"tree\"><ul>\n", out);
	for (size_t i = 0; i < t.nnodes; i++)
		if (t.nodes[order[i]].parent < 0)
			tree_item(out, &t, order[i], 0);
	fputs("</ul></nav>\n", out);
	free(order);
	free(t.nodes);
	free(t.imgs);
}

/* ---- timelines ---- */

struct scale {
	double t0, t1;		/* seconds */
	double px_per_s;
};

static double
xpos(const struct scale *sc, double t)
{
	if (t < sc->t0)
		t = sc->t0;
	if (t > sc->t1)
		t = sc->t1;
	return SVG_LABEL_W + (t - sc->t0) * sc->px_per_s;
}

static double
row_y(size_t row)
{
	return SVG_AXIS_H + (double)row * SVG_ROW_H + SVG_ROW_H / 2.0;
}

/* One line about an event, as the text report's timeline says it
   (without the stack), escaped. */
static void
event_summary(FILE *out, const struct process *p, const struct tl_event *e)
{
	char extra[256] = "", ns[32];
	report_format_namespace(e, ns, sizeof(ns));
	switch (e->kind) {
	case TL_EXEC:
		html_escapef(out, "%s", e->path ? e->path : "?");
		break;
	case TL_LOAD: {
		const struct tl_event *by = e->dlopen_ref ?
					    timeline_find(&p->timeline, e->dlopen_ref) : NULL;
		if (e->flags > 0)
			solib_format_flags(e->flags, extra, sizeof(extra));
		html_escapef(out, "%s%s  %#llx-%#llx%s%s%s", e->path ? e->path : "?", ns,
			     (unsigned long long)e->start, (unsigned long long)e->end,
			     extra[0] ? "  " : "", extra, e->at_attach ? "  (before attach)" : "");
		if (by)
			fprintf(out, " (dlopen at %.3f ms)", by->t * 1e3);
		break;
	}
	case TL_UNLOAD: {
		const struct tl_event *by = e->ref ? timeline_find(&p->timeline, e->ref) : NULL;
		html_escapef(out, "%s%s  %#llx-%#llx  mappings gone", e->path ? e->path : "?", ns,
			     (unsigned long long)e->start, (unsigned long long)e->end);
		if (by)
			fprintf(out, " (dlclose at %.3f ms)", by->t * 1e3);
		if (report_deferred(p, e, extra, sizeof(extra))) {
			fputs("; ", out);
			html_escape(out, extra);
		}
		break;
	}
	case TL_DLOPEN:
		solib_format_flags(e->flags, extra, sizeof(extra));
		if (e->dlmopen) {
			char lmid[32];
			solib_format_lmid(e->lmid, lmid, sizeof(lmid));
			html_escapef(out, "dlmopen(%s, %s, %s)", lmid,
				     e->path ? e->path : "(main program)", extra);
		} else {
			html_escapef(out, "%s%s  %s", e->path ? e->path : "(main program)", ns,
				     extra);
		}
		break;
	case TL_DLCLOSE:
		html_escapef(out, "%s%s  handle %#llx", e->path ? e->path : "(unknown handle)",
			     ns, (unsigned long long)e->handle);
		break;
	case TL_DLCLOSE_KEPT:
		html_escapef(out, "%s%s still mapped after dlclose returned %d  %#llx-%#llx",
			     e->path ? e->path : "?", ns, e->status, (unsigned long long)e->start,
			     (unsigned long long)e->end);
		if (e->note)
			html_escapef(out, ": %s", e->note);
		break;
	case TL_MAP_GONE:
		html_escapef(out, "%s  %#llx-%#llx", e->path ? e->path : "(anonymous)",
			     (unsigned long long)e->start, (unsigned long long)e->end);
		break;
	case TL_FAULT:
		html_escapef(out, "SIG%s at %#llx in thread %d", report_signal_name(e->status),
			     (unsigned long long)e->addr, e->tid);
		break;
	case TL_EXIT:
		report_format_status(e->status, extra, sizeof(extra));
		html_escape(out, extra);
		break;
	case TL_ATTACH:
		html_escapef(out, "%s  %d thread%s", e->path ? e->path : "?", e->status,
			     e->status == 1 ? "" : "s");
		break;
	case TL_DETACH:
		html_escape(out, "breakpoints removed, the process goes on untraced");
		break;
	}
}

/* The finding a fault event was diagnosed as, or NULL. */
static const struct finding *
finding_of_fault(const struct tl_event *e)
{
	for (size_t i = 0; i < nfindings; i++)
		if (findings[i]->kind == FINDING_FAULT && findings[i]->fault_event == e->id)
			return findings[i];
	return NULL;
}

/* A marker's shape at (x, y): an SVG path's d attribute. */
static void
marker_shape(FILE *out, enum tl_kind kind, double x, double y)
{
	fputs(" d=\"", out);
	switch (kind) {
	case TL_DLOPEN:		/* a triangle pointing right */
		fprintf(out, "M%.1f %.1fL%.1f %.1fL%.1f %.1fZ", x - 4, y - 6, x + 5, y, x - 4, y + 6);
		break;
	case TL_DLCLOSE:	/* a diamond */
		fprintf(out, "M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fZ", x, y - 6, x + 5, y,
			x, y + 6, x - 5, y);
		break;
	case TL_UNLOAD:		/* a bar across the lane's end */
	case TL_MAP_GONE:
		fprintf(out, "M%.1f %.1fh3v14h-3Z", x - 1.5, y - 7);
		break;
	case TL_DLCLOSE_KEPT:	/* a circle */
		fprintf(out, "M%.1f %.1fa4.5 4.5 0 1 0 9 0a4.5 4.5 0 1 0 -9 0Z", x - 4.5, y);
		break;
	case TL_FAULT:		/* a star-like burst */
		fprintf(out, "M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1f"
			"L%.1f %.1fL%.1f %.1fZ", x, y - 8, x + 2.5, y - 2.5, x + 8, y, x + 2.5,
			y + 2.5, x, y + 8, x - 2.5, y + 2.5, x - 8, y, x - 2.5, y - 2.5);
		break;
	case TL_EXEC:
	case TL_EXIT:
	case TL_ATTACH:
	case TL_DETACH:
	case TL_LOAD:		/* a square */
		fprintf(out, "M%.1f %.1fh8v8h-8Z", x - 4, y - 4);
		break;
	}
	fputc('"', out);
}

/* A marker for event e on a row, with a tooltip holding the event and
   its stack; a click (JavaScript) selects its row in the event list.
   Three elements per marker at most: runs have thousands. */
static void
marker_html(FILE *out, const struct process *p, const struct tl_event *e,
	    const struct scale *sc, size_t row)
{
	fprintf(out, "<path class=\"m %s\" data-ev=\"e%u\"", tl_kind_name(e->kind), e->id);
	marker_shape(out, e->kind, xpos(sc, e->t), row_y(row));
	fprintf(out, "><title>%s at %.3f ms, thread %d\n", tl_kind_name(e->kind), e->t * 1e3,
		e->tid);
	event_summary(out, p, e);
	if (e->kind == TL_DLCLOSE) {
		fputc('\n', out);
		stack_text(out, &e->stack);
	}
	if (e->kind == TL_FAULT) {
		const struct finding *f = finding_of_fault(e);
		if (f) {
			fputc('\n', out);
			html_escape(out, f->verdict);
			fputc('\n', out);
			stack_text(out, &f->stack);
		}
	}
	fputs("</title></path>", out);
}

/* A lane's name: the file name, cut to fit (at a character boundary). */
static void
lane_label(FILE *out, const char *path)
{
	const char *base = path_basename(path);
	size_t len = strlen(base), max = 38;
	if (len <= max) {
		html_escape(out, base);
		return;
	}
	size_t cut = max - 1;
	while (cut > 0 && ((unsigned char)base[cut] & 0xc0) == 0x80)
		cut--;
	char *s = xstrndup(base, cut);
	html_escape(out, s);
	fputs("\xe2\x80\xa6", out);	/* an ellipsis */
	free(s);
}

static void
axis_html(FILE *out, const struct scale *sc, double height)
{
	double span_ms = (sc->t1 - sc->t0) * 1e3;
	/* About eight ticks, 1, 2 or 5 times a power of ten apart. */
	double raw = span_ms / 8, mag = 1, step;
	while (mag * 10 <= raw)
		mag *= 10;
	while (mag > raw && mag > 1e-6)
		mag /= 10;
	if (raw / mag < 1.5)
		step = mag;
	else if (raw / mag < 3.5)
		step = 2 * mag;
	else if (raw / mag < 7.5)
		step = 5 * mag;
	else
		step = 10 * mag;
	fputs("<g class=\"axis\">", out);
	double first = (double)(long long)(sc->t0 * 1e3 / step) * step;
	if (first < sc->t0 * 1e3)
		first += step;
	for (double ms = first; ms <= sc->t1 * 1e3 + step * 1e-9; ms += step) {
		double x = xpos(sc, ms / 1e3);
		fprintf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\"/>"
			"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g ms</text>",
			x, SVG_AXIS_H - 8, x, height, x, SVG_AXIS_H - 12, ms);
	}
	fputs("</g>\n", out);
}

static void
timeline_svg(FILE *out, const struct process *p)
{
	const struct timeline *tl = &p->timeline;
	struct lifetime_list lt;
	lifetime_list_build(tl, &lt);

	struct scale sc = { .t0 = p->started_at, .t1 = p->ended ? p->ended_at : p->started_at };
	for (size_t i = 0; i < tl->n; i++) {
		if (tl->v[i].t > sc.t1)
			sc.t1 = tl->v[i].t;
		if (tl->v[i].t < sc.t0)
			sc.t0 = tl->v[i].t;
	}
	if (sc.t1 - sc.t0 < 1e-6)
		sc.t1 = sc.t0 + 1e-6;
	sc.px_per_s = (SVG_PLOT_W - 10) / (sc.t1 - sc.t0);

	/* The lanes of the libraries a diagnosis blames. */
	bool *blamed = xcalloc(lt.n ? lt.n : 1, sizeof(*blamed));
	for (size_t i = 0; i < nfindings; i++) {
		const struct finding *f = findings[i];
		if (f->proc != p || !f->blames_library || !f->unload_event)
			continue;
		const struct tl_event *u = timeline_find(tl, f->unload_event);
		long l = u ? lt.of_event[u - tl->v] : -1;
		if (l >= 0)
			blamed[l] = true;
	}

	double height = SVG_AXIS_H + (double)(lt.n + 1) * SVG_ROW_H + 6;
	fprintf(out, "<div class=\"scroll\"><svg class=\"tl\" xmlns=\"http://www.w3.org/2000/svg\" "
		"width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\" role=\"img\">\n",
		SVG_LABEL_W + SVG_PLOT_W, height, SVG_LABEL_W + SVG_PLOT_W, height);
	html_open(out, "title", NULL);
	html_escapef(out, "library lifetimes of pid %d (%s)", p->pid, process_name(p));
	fputs("</title>\n", out);
	axis_html(out, &sc, height);

	/* Row 0: the process itself. */
	double y0 = row_y(0);
	fputs("<g class=\"row\">", out);
	fprintf(out, "<text x=\"4\" y=\"%.1f\">", y0 + 4);
	html_escapef(out, "pid %d %s", p->pid, process_name(p));
	fprintf(out, "</text><rect class=\"bar proc\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		"height=\"%d\"/></g>\n", xpos(&sc, sc.t0), y0 - SVG_BAR_H / 2.0,
		xpos(&sc, sc.t1) - xpos(&sc, sc.t0), SVG_BAR_H);

	/* One lane per library lifetime. */
	for (size_t l = 0; l < lt.n; l++) {
		const struct lifetime *life = &lt.v[l];
		const struct tl_event *ld = life->load;
		/* A load is seen at the next stop after its dlopen: the lane
		   starts at the call. */
		const struct tl_event *by = ld->dlopen_ref ? timeline_find(tl, ld->dlopen_ref) : NULL;
		double y = row_y(l + 1);
		double x0 = xpos(&sc, by ? by->t : ld->t);
		double x1 = xpos(&sc, life->unload ? life->unload->t : sc.t1);
		if (blamed[l])
			fprintf(out, "<g class=\"row fault\"><rect class=\"bg\" x=\"0\" y=\"%.1f\" "
				"width=\"%d\" height=\"%d\"/>", y - SVG_ROW_H / 2.0,
				SVG_LABEL_W + SVG_PLOT_W, SVG_ROW_H);
		fprintf(out, "<text x=\"4\" y=\"%.1f\"><title>", y + 4);
		html_escape(out, ld->file ? ld->file : ld->path);
		fputs("</title>", out);
		lane_label(out, ld->path ? ld->path : ld->file);
		fprintf(out, "</text><rect class=\"m bar%s\" data-ev=\"e%u\" x=\"%.1f\" y=\"%.1f\" "
			"width=\"%.1f\" height=\"%d\"><title>", life->unload ? " gone" : "", ld->id,
			x0, y - SVG_BAR_H / 2.0, x1 - x0 > 1 ? x1 - x0 : 1, SVG_BAR_H);
		if (by)
			html_escapef(out, "%s\nloaded by the dlopen at %.3f ms (seen at %.3f ms)",
				     ld->path ? ld->path : "?", by->t * 1e3, ld->t * 1e3);
		else
			html_escapef(out, "%s\nloaded at %.3f ms", ld->path ? ld->path : "?",
				     ld->t * 1e3);
		if (life->unload)
			fprintf(out, ", unloaded at %.3f ms", life->unload->t * 1e3);
		else
			fputs(", mapped until the end", out);
		if (blamed[l])
			fputs("\nthe library a finding is about", out);
		fputs("</title></rect>", out);
		if (blamed[l])
			fputs("</g>", out);
		fputc('\n', out);
	}

	/* Markers, on their lane or on the process's row. */
	for (size_t i = 0; i < tl->n; i++) {
		const struct tl_event *e = &tl->v[i];
		long l = lt.of_event[i];
		if (e->kind == TL_LOAD)
			continue;	/* the lane's start */
		marker_html(out, p, e, &sc, l >= 0 ? (size_t)l + 1 : 0);
		if (e->kind != TL_FAULT)
			continue;
		/* The fault again on the lane of the library it is blamed on,
		   past that lane's end, and a line across all lanes. */
		const struct finding *f = finding_of_fault(e);
		const struct tl_event *u = f && f->blames_library && f->unload_event ?
					   timeline_find(tl, f->unload_event) : NULL;
		long fl = u ? lt.of_event[u - tl->v] : -1;
		double x = xpos(&sc, e->t);
		fprintf(out, "<line class=\"faultline\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\"/>",
			x, SVG_AXIS_H - 4, x, height);
		if (fl >= 0)
			marker_html(out, p, e, &sc, (size_t)fl + 1);
	}
	fputs("\n</svg></div>\n", out);
	free(blamed);
	lifetime_list_free(&lt);
}

static void
events_html(FILE *out, const struct process *p)
{
	const struct timeline *tl = &p->timeline;
	/* Short lists open; long ones (hundreds of libraries) on demand. */
	fprintf(out, "<details class=\"events\"%s><summary>events (%zu)</summary>\n"
		"<table class=\"ev\"><tbody>\n", tl->n <= 60 ? " open" : "", tl->n);
	for (size_t i = 0; i < tl->n; i++) {
		const struct tl_event *e = &tl->v[i];
		fprintf(out, "<tr class=\"evrow\" id=\"e%u\"><td class=\"t\">%.3f ms</td>"
			"<td class=\"k\">%s</td><td class=\"p\">", e->id, e->t * 1e3,
			tl_kind_name(e->kind));
		event_summary(out, p, e);
		if (e->kind == TL_DLCLOSE) {
			fputs("<details><summary>called from</summary><pre>", out);
			stack_text(out, &e->stack);
			fputs("</pre></details>", out);
		}
		if (e->kind == TL_FAULT) {
			const struct finding *f = finding_of_fault(e);
			if (f)
				fprintf(out, " &mdash; <a href=\"#f%u\">the diagnosis</a>", f->seq);
		}
		fputs("</td></tr>\n", out);
	}
	if (p->exec_ended)
		fprintf(out, "<tr class=\"evrow\"><td class=\"t\">%.3f ms</td><td class=\"k\">exec</td>"
			"<td class=\"p\">(replaced by a new image)</td></tr>\n", p->ended_at * 1e3);
	fputs("</tbody></table></details>\n", out);
}

static void
process_html(FILE *out, const struct process *p)
{
	char status[128] = "";
	fprintf(out, "<section class=\"proc\" id=\"p%u\"><h3>", p->seq);
	html_escapef(out, "pid %d (%s), parent %d:", p->pid, process_name(p), p->parent_pid);
	fputs("<code>", out);
	argv_html(out, p);
	fputs("</code></h3>\n<p class=\"muted\">", out);
	if (p->exec_ended)
		snprintf(status, sizeof(status), "replaced by a new image (exec)");
	else if (p->ended)
		report_format_status(p->wait_status, status, sizeof(status));
	else
		snprintf(status, sizeof(status), "end unknown");
	html_escapef(out, "%s; started at %.3f ms", p->exe ? p->exe : "?", p->started_at * 1e3);
	if (p->ended)
		fprintf(out, ", ended at %.3f ms", p->ended_at * 1e3);
	html_escapef(out, ": %s", status);
	fputs("</p>\n", out);
	timeline_svg(out, p);
	events_html(out, p);
	fputs("</section>\n", out);
}

static void
legend_html(FILE *out)
{
	static const enum tl_kind kinds[] = {
		TL_DLOPEN, TL_DLCLOSE, TL_UNLOAD, TL_DLCLOSE_KEPT, TL_FAULT, TL_EXEC, TL_EXIT,
	};
	fputs("<p class=\"legend\">One lane per library lifetime, from its load to its unload "
	      "(grey) or to the end (blue); the lane of a library a finding is about is red. "
	      "Hover over a marker for its stack, click for the event.<br>", out);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		fprintf(out, "<svg class=\"tl\" width=\"18\" height=\"18\" viewBox=\"0 0 18 18\">"
			"<path class=\"%s\"", tl_kind_name(kinds[i]));
		marker_shape(out, kinds[i], 9, 9);
		fprintf(out, "/></svg>%s ", tl_kind_name(kinds[i]));
	}
	fputs("</p>\n", out);
}

bool
report_html_check(const char *path)
{
	return atomic_file_check(path, "HTML report");
}

bool
report_html_write(const char *path, char **command, int status)
{
	struct atomic_file af;
	if (!atomic_file_open(&af, path, "HTML report"))
		return false;
	FILE *out = af.f;
	char buf[128];

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      /* Nothing may be fetched: the page must work as a CI artifact,
		 offline. */
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n<title>", out);
	html_escapef(out, "%s: %s", PACKAGE, command[0] ? path_basename(command[0]) : "");
	fprintf(out, "</title>\n<style>\n%s</style>\n</head><body>\n", page_style);

	fputs("<header class=\"run\"><h1>", out);
	html_escapef(out, "%s report", PACKAGE);
	fputs("</h1>\n<p>command: <code>", out);
	for (char **a = command; *a; a++) {
		if (a != command)
			fputc(' ', out);
		html_escape(out, *a);
	}
	report_format_status(status, buf, sizeof(buf));
	fputs("</code></p>\n<p>", out);
	html_escapef(out, "the command ended: %s", buf);
	fprintf(out, "</p>\n<p>%u fault%s (%u in unloaded libraries), %u latent reference%s; "
		"<a href=\"#findings\">findings</a>, <a href=\"#processes\">processes</a></p>\n",
		report_findings.faults, report_findings.faults == 1 ? "" : "s",
		report_findings.unloaded_faults, report_findings.latent,
		report_findings.latent == 1 ? "" : "s");
	html_escapef(out, "%s %s", PACKAGE, PACKAGE_VERSION);
	fputs("</header>\n", out);

	findings_html(out);

	fputs("<section id=\"processes\"><h2>Processes</h2>\n", out);
	tree_html(out);
	legend_html(out);
	for (const struct process *p = process_list; p; p = p->next)
		if (report_process_shown(p))
			process_html(out, p);
	fputs("</section>\n", out);
	fprintf(out, "<script>\n%s</script>\n</body></html>\n", page_script);
	return atomic_file_commit(&af);
}
