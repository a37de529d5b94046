#include "config.h"
#include "symbolize.h"
#include "addrspace.h"
#include "demangle.h"
#include "elfsym.h"
#include "tracee.h"
#include "unwind.h"
#include "xmalloc.h"

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

void
symbolize_stack(struct process *p, pid_t tid, const struct user_regs_struct *regs,
		struct stack *out)
{
	uint64_t pcs[UNWIND_MAX_FRAMES];
	size_t n = unwind_thread_walk(p->pid, tid, regs, pcs, UNWIND_MAX_FRAMES);
	symbolize_pcs(p, pcs, n, 1, out);
	out->truncated = n == UNWIND_MAX_FRAMES;
}
