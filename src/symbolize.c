#include "config.h"
#include "symbolize.h"
#include "addrspace.h"
#include "demangle.h"
#include "elfsym.h"
#include "mem.h"
#include "tracee.h"
#include "unwind.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

void
symbolize_frame(struct process *p, uint64_t pc, bool is_return_address,
		struct frame *f)
{
	memset(f, 0, sizeof(*f));
	f->pc = pc;
	uint64_t lookup = is_return_address && pc ? pc - 1 : pc;
	struct location loc;
	if (!addrspace_locate(p, lookup, &loc))
		return;
	f->in_gone_mapping = loc.gone;
	f->is_return = is_return_address;
	f->elf = loc.elf;
	if (loc.map->path)
		f->module = xstrdup(loc.map->path);
	const char *bid = loc.elf ? elfsym_build_id(loc.elf) : NULL;
	if (bid)
		f->build_id = xstrdup(bid);
	if (!loc.has_vaddr)
		return;
	f->module_offset = loc.vaddr + (pc - lookup);
	f->has_module_offset = true;
	struct elf_symbol sym;
	if (elfsym_lookup(loc.elf, loc.vaddr, &sym)) {
		f->symbol = demangle(sym.name);
		f->sym_offset = loc.vaddr + (pc - lookup) - sym.value;
	}
}

void
symbolize_pcs(struct process *p, const uint64_t *pcs, size_t n,
	      size_t first_return_index, struct stack *out)
{
	memset(out, 0, sizeof(*out));
	if (!n)
		return;
	out->v = xcalloc(n, sizeof(*out->v));
	out->n = n;
	for (size_t i = 0; i < n; i++)
		symbolize_frame(p, pcs[i], i >= first_return_index, &out->v[i]);
}

/* What symbolize_frame filled (no source lines yet), to fill it again. */
static void
frame_release(struct frame *f)
{
	free(f->module);
	free(f->build_id);
	free(f->symbol);
}

/* x86_64 rt_sigreturn trampolines: glibc's __restore_rt is
   "mov $15,%rax; syscall" (48 c7 c0 0f 00 00 00 0f 05); others write
   "mov $15,%eax; syscall" (b8 0f 00 00 00 0f 05).  libgcc's unwinder and
   gdb know a signal frame by the same bytes. */
static const uint8_t sigreturn_rax[] = { 0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05 };
static const uint8_t sigreturn_eax[] = { 0xb8, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05 };

static bool
is_sigreturn_code(const uint8_t code[sizeof(sigreturn_rax)])
{
	return memcmp(code, sigreturn_rax, sizeof(sigreturn_rax)) == 0 ||
	       memcmp(code, sigreturn_eax, sizeof(sigreturn_eax)) == 0;
}

bool
symbolize_is_sigreturn(pid_t tid, uint64_t pc)
{
	uint8_t code[sizeof(sigreturn_rax)];
	if (mem_read(tid, pc, code, sizeof(code)))
		return is_sigreturn_code(code);
	return mem_read(tid, pc, code, sizeof(sigreturn_eax)) &&
	       memcmp(code, sigreturn_eax, sizeof(sigreturn_eax)) == 0;
}

void
symbolize_signal_frames(struct process *p, pid_t tid, struct stack *s)
{
	/* Every frame's code in one read; one whose bytes did not come (the
	   read stops at the first piece it cannot finish) is read alone. */
	enum { LEN = sizeof(sigreturn_rax) };
	size_t n = s->n < UNWIND_MAX_FRAMES ? s->n : UNWIND_MAX_FRAMES;
	uint64_t addrs[UNWIND_MAX_FRAMES] = { 0 };
	uint8_t code[UNWIND_MAX_FRAMES][LEN];
	size_t which[UNWIND_MAX_FRAMES], k = 0;
	for (size_t i = 0; i < n; i++)
		if (s->v[i].pc) {
			which[k] = i;
			addrs[k++] = s->v[i].pc;
		}
	size_t got = mem_read_pieces(tid, addrs, k, LEN, code);
	bool sigreturn[UNWIND_MAX_FRAMES] = { false };
	for (size_t j = 0; j < k; j++)
		sigreturn[which[j]] = j < got ? is_sigreturn_code(code[j]) :
				      symbolize_is_sigreturn(tid, addrs[j]);
	for (size_t i = 0; i < s->n; i++) {
		struct frame *f = &s->v[i];
		if (!f->pc || !(i < n ? sigreturn[i] : symbolize_is_sigreturn(tid, f->pc)))
			continue;
		/* The handler "returned" to the trampoline's first byte, which
		   no call precedes: look it up where it is. */
		if (f->is_return) {
			frame_release(f);
			symbolize_frame(p, f->pc, false, f);
		}
		f->signal_frame = true;
		/* The signal interrupted the next frame at its pc. */
		if (i + 1 < s->n && s->v[i + 1].is_return) {
			uint64_t pc = s->v[i + 1].pc;
			frame_release(&s->v[i + 1]);
			symbolize_frame(p, pc, false, &s->v[i + 1]);
		}
	}
}

void
symbolize_stack(struct process *p, pid_t tid, const struct user_regs_struct *regs,
		struct stack *out)
{
	uint64_t pcs[UNWIND_MAX_FRAMES];
	size_t n = unwind_thread_walk(p->pid, tid, regs, pcs, UNWIND_MAX_FRAMES);
	symbolize_pcs(p, pcs, n, 1, out);
	symbolize_signal_frames(p, tid, out);
	out->truncated = n == UNWIND_MAX_FRAMES;
}
