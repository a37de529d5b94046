#include "config.h"
#include "fault_class.h"
#include "quote.h"
#include "report.h"
#include "xmalloc.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *
access_word(const struct fault_evidence *ev)
{
	if (ev->pc == ev->addr)
		return "call or jump";
	if (!ev->insn)
		return "access";
	if (ev->insn->writes_mem && !ev->insn->reads_mem)
		return "write";
	if (ev->insn->reads_mem && !ev->insn->writes_mem)
		return "read";
	return "access";
}

/* "heap", "[stack]", ".rodata of /usr/bin/foo". */
static char *
mapping_words(const struct fault_evidence *ev)
{
	const struct map_entry *m = ev->addr_map;
	if (!m)
		return xstrdup("unmapped memory");
	if (!m->path)
		return xasprintf("an anonymous mapping (%s)", m->perms);
	if (m->path[0] == '[')
		return xasprintf("%s (%s)", m->path, m->perms);
	char path[512];
	quote_string(m->path, path, sizeof(path));
	if (ev->addr_section)
		return xasprintf("%s of %s (%s)", ev->addr_section, path, m->perms);
	return xasprintf("%s (%s)", path, m->perms);
}

static void
sent_signal(const struct fault_evidence *ev, char **category, char **verdict)
{
	const char *name = report_signal_name(ev->sig);
	if (ev->sig == SIGABRT && ev->sent_by_self) {
		*category = xstrdup("abort");
		if (ev->abort_message) {
			char msg[1024];
			quote_string(ev->abort_message, msg, sizeof(msg));
			*verdict = xasprintf("abort() was called: %s", msg);
		} else {
			*verdict = xstrdup("abort() was called (SIGABRT raised by the process "
					   "itself); glibc left no message");
		}
		return;
	}
	*category = xstrdup("signal-sent");
	if (ev->sent_by_self)
		*verdict = xasprintf("SIG%s was raised by the process itself (raise, kill or "
				     "pthread_kill), not by a faulting instruction", name);
	else
		*verdict = xasprintf("SIG%s was sent by %s (kill, tgkill or sigqueue), and the "
				     "process does not catch it", name,
				     ev->sender ? ev->sender : "another process");
}

static void
segv(const struct fault_evidence *ev, char **category, char **verdict)
{
	char *where = mapping_words(ev);
	const char *what = access_word(ev);
	if (ev->stack_guard) {
		*category = xstrdup("stack-overflow");
		*verdict = xasprintf("stack overflow: the %s at %#llx is in the guard area below "
				     "the thread's stack (deep or endless recursion, or a large "
				     "local array)", what, (unsigned long long)ev->addr);
	} else if (ev->addr < FAULT_NULL_LIMIT) {
		*category = xstrdup("null-access");
		if (ev->pc == ev->addr)
			*verdict = xasprintf("a call through a NULL function pointer (the jump "
					     "went to %#llx)", (unsigned long long)ev->addr);
		else if (ev->addr == 0)
			*verdict = xasprintf("NULL pointer %s: the instruction used address 0",
					     what);
		else
			*verdict = xasprintf("NULL pointer %s: address %#llx is %llu bytes past "
					     "NULL (a field of a struct or object whose pointer "
					     "is NULL)", what, (unsigned long long)ev->addr,
					     (unsigned long long)ev->addr);
	} else if (ev->unmap_call) {
		char gone[600];
		if (ev->unmapped_file_path) {
			char path[512];
			quote_string(ev->unmapped_file_path, path, sizeof(path));
			snprintf(gone, sizeof(gone), "%s (%s)", path, ev->unmap_perms);
		} else if (ev->unmap_contents_unknown) {
			snprintf(gone, sizeof(gone), "memory mapped since the tool's last look "
				 "(a large malloc block or an mmap)");
		} else {
			snprintf(gone, sizeof(gone), "anonymous memory (%s)", ev->unmap_perms);
		}
		*category = xstrdup("use-after-munmap");
		*verdict = xasprintf("use after munmap: %#llx was in %s, which %s removed %.3f ms "
				     "before the fault (free() gives a large malloc block back "
				     "with munmap)", (unsigned long long)ev->addr, gone,
				     ev->unmap_call, ev->unmap_before * 1e3);
	} else if (ev->unmapped_file) {
		char path[512];
		quote_string(ev->unmapped_file_path, path, sizeof(path));
		*category = xstrdup("unmapped-file");
		*verdict = xasprintf("use after munmap: %#llx was in %s, a file mapped as data "
				     "(not a library) and since unmapped",
				     (unsigned long long)ev->addr, path);
	} else if (ev->si_code == SEGV_ACCERR && ev->pc == ev->addr) {
		*category = xstrdup("exec-non-executable");
		*verdict = xasprintf("execution of memory that is not executable: %s (a "
				     "function pointer or return address that holds a data "
				     "address)", where);
	} else if (ev->si_code == SEGV_ACCERR && ev->addr_map &&
		   memcmp(ev->addr_map->perms, "---", 3) == 0) {
		*category = xstrdup("guard-page");
		*verdict = xasprintf("%s of a guard page: %s allows no access (an overrun "
				     "of the buffer next to it)", what, where);
	} else if (ev->si_code == SEGV_ACCERR && ev->addr_map && ev->addr_map->perms[1] != 'w' &&
		   (!ev->insn || ev->insn->writes_mem)) {
		*category = xstrdup("write-to-read-only");
		*verdict = xasprintf("write to read-only memory: %#llx is in %s (a string "
				     "literal or const data changed through a pointer)",
				     (unsigned long long)ev->addr, where);
	} else if (ev->si_code == SEGV_ACCERR) {
		*category = xstrdup("protection-fault");
		*verdict = xasprintf("%s not permitted by the protection of %s", what, where);
	} else if (ev->pc == ev->addr) {
		*category = xstrdup("call-to-unmapped");
		*verdict = xasprintf("a call or jump to %#llx, which is not mapped (a corrupt "
				     "function pointer or return address)",
				     (unsigned long long)ev->addr);
	} else {
		*category = xstrdup("wild-address");
		*verdict = xasprintf("%s of %#llx, which is not mapped (a wild, corrupt or "
				     "dangling pointer)", what, (unsigned long long)ev->addr);
	}
	free(where);
}

static void
kernel_fault(const struct fault_evidence *ev, char **category, char **verdict)
{
	const char *insn = ev->insn ? ev->insn->text : NULL;
	switch (ev->sig) {
	case SIGSEGV:
		segv(ev, category, verdict);
		return;
	case SIGBUS:
		if (ev->past_eof) {
			char path[512];
			quote_string(ev->addr_map ? ev->addr_map->path : NULL, path, sizeof(path));
			*category = xstrdup("bus-error-truncated-file");
			*verdict = xasprintf("access past the end of a mapped file: %s is %llu bytes "
					     "now, shorter than its mapping (truncated after it "
					     "was mapped)", path, (unsigned long long)ev->file_size);
		} else {
			*category = xstrdup("bus-error");
			*verdict = xasprintf("bus error (%s) at %#llx",
					     report_si_code_name(ev->sig, ev->si_code),
					     (unsigned long long)ev->addr);
		}
		return;
	case SIGFPE:
		*category = xstrdup("arithmetic-error");
		*verdict = xasprintf("%s%s%s", ev->si_code == FPE_INTDIV ? "integer division by zero" :
				     ev->si_code == FPE_INTOVF ? "integer overflow" :
				     "floating-point exception",
				     insn ? " in " : "", insn ? insn : "");
		return;
	case SIGILL:
		*category = xstrdup("illegal-instruction");
		if (insn && strncmp(insn, "ud2", 3) == 0)
			*verdict = xstrdup("the program executed ud2, the trap a compiler emits for "
					   "__builtin_trap() or for code it proved unreachable");
		else if (insn)
			*verdict = xasprintf("an instruction the processor refused: %s", insn);
		else
			*verdict = xstrdup("bytes that are not a valid instruction were executed");
		return;
	}
	*category = xstrdup("fatal-signal");
	*verdict = xasprintf("SIG%s (%s), which the process does not catch",
			     report_signal_name(ev->sig), report_si_code_name(ev->sig, ev->si_code));
}

void
fault_class_of(const struct fault_evidence *ev, char **category, char **verdict)
{
	char *v;
	if (ev->sent) {
		sent_signal(ev, category, verdict);
		return;
	}
	kernel_fault(ev, category, &v);
	if (ev->sig != SIGSEGV && ev->sig != SIGBUS) {
		*verdict = v;
		return;
	}
	*verdict = xasprintf("%s; %s", v, ev->history_known ?
			     "no unloaded library is involved" :
			     "the libraries of this process could not be followed, so an "
			     "unloaded library cannot be ruled out");
	free(v);
}
