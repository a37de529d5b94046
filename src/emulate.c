#include "config.h"
#include "emulate.h"
#include "mem.h"

#include <errno.h>
#include <string.h>
#include <sys/ptrace.h>

/* Registers by their x86 encoding number. */
static unsigned long long *
reg_slot(struct user_regs_struct *r, unsigned int n)
{
	switch (n) {
	case 0: return &r->rax;
	case 1: return &r->rcx;
	case 2: return &r->rdx;
	case 3: return &r->rbx;
	case 4: return &r->rsp;
	case 5: return &r->rbp;
	case 6: return &r->rsi;
	case 7: return &r->rdi;
	case 8: return &r->r8;
	case 9: return &r->r9;
	case 10: return &r->r10;
	case 11: return &r->r11;
	case 12: return &r->r12;
	case 13: return &r->r13;
	case 14: return &r->r14;
	case 15: return &r->r15;
	}
	return NULL;
}

void
emulate_decode(const uint8_t *c, size_t n, struct emulation *e)
{
	memset(e, 0, sizeof(*e));
	if (n >= 1 && c[0] == 0xc3) {
		e->kind = EMU_RET;
		e->len = 1;
	} else if (n >= 4 && c[0] == 0xf3 && c[1] == 0x0f && c[2] == 0x1e && c[3] == 0xfa) {
		e->kind = EMU_SKIP;		/* endbr64 */
		e->len = 4;
	} else if (n >= 1 && c[0] == 0x90) {
		e->kind = EMU_SKIP;
		e->len = 1;
	} else if (n >= 1 && c[0] >= 0x50 && c[0] <= 0x57) {
		e->kind = EMU_PUSH;
		e->len = 1;
		e->reg = c[0] - 0x50;
	} else if (n >= 2 && c[0] == 0x41 && c[1] >= 0x50 && c[1] <= 0x57) {
		e->kind = EMU_PUSH;
		e->len = 2;
		e->reg = 8 + c[1] - 0x50;
	} else if (n >= 7 && (c[0] & 0xfb) == 0x48 && c[1] == 0x8b && (c[2] & 0xc7) == 0x05) {
		/* REX.W [+R] 8b /r with mod 00, r/m 101: rip-relative load. */
		e->kind = EMU_LOAD_RIPREL;
		e->len = 7;
		e->reg = ((c[2] >> 3) & 7) | ((c[0] & 0x04) ? 8 : 0);
		memcpy(&e->disp, c + 3, 4);
	} else if (n >= 4 && c[0] == 0x48 && c[1] == 0x83 && c[2] == 0xec) {
		e->kind = EMU_SUB_RSP;		/* REX.W 83 /5 ib, r/m rsp */
		e->len = 4;
		e->disp = (int8_t)c[3];
	} else if (n >= 7 && c[0] == 0x48 && c[1] == 0x81 && c[2] == 0xec) {
		e->kind = EMU_SUB_RSP;		/* REX.W 81 /5 id */
		e->len = 7;
		memcpy(&e->disp, c + 3, 4);
	} else if (n >= 3 && (c[0] & 0xfa) == 0x48 && c[1] == 0x89 && (c[2] & 0xc0) == 0xc0) {
		/* REX.W [+R] [+B] 89 /r, mod 11: register to register. */
		e->kind = EMU_MOV_REG;
		e->len = 3;
		e->src = ((c[2] >> 3) & 7) | ((c[0] & 0x04) ? 8 : 0);
		e->reg = (c[2] & 7) | ((c[0] & 0x01) ? 8 : 0);
	}
}

/* rsp -= imm, with CF, PF, AF, ZF, SF and OF as sub sets them. */
static void
sub_rsp(struct user_regs_struct *r, int32_t imm)
{
	uint64_t a = r->rsp, b = (uint64_t)(int64_t)imm, res = a - b;
	unsigned long long f = r->eflags & ~0x8d5ULL;	/* CF PF AF ZF SF OF */
	if (a < b)
		f |= 0x001;
	if (!__builtin_parity((unsigned int)(res & 0xff)))
		f |= 0x004;
	if ((a ^ b ^ res) & 0x10)
		f |= 0x010;
	if (!res)
		f |= 0x040;
	if (res >> 63)
		f |= 0x080;
	if (((a ^ b) & (a ^ res)) >> 63)
		f |= 0x800;
	r->eflags = f;
	r->rsp = res;
}

bool
emulate_apply(pid_t tid, const struct emulation *e, uint64_t addr,
	      struct user_regs_struct *regs)
{
	uint64_t val;
	switch (e->kind) {
	case EMU_NONE:
		return false;
	case EMU_RET:
		if (!mem_read_u64(tid, regs->rsp, &val))
			return false;
		regs->rip = val;
		regs->rsp += 8;
		return true;
	case EMU_SKIP:
		break;
	case EMU_PUSH:
		val = *reg_slot(regs, e->reg);
		errno = 0;
		if (ptrace(PTRACE_POKEDATA, tid, (void *)(regs->rsp - 8), (void *)val) < 0)
			return false;
		regs->rsp -= 8;
		break;
	case EMU_LOAD_RIPREL:
		if (!mem_read_u64(tid, addr + e->len + (int64_t)e->disp, &val))
			return false;
		*reg_slot(regs, e->reg) = val;
		break;
	case EMU_MOV_REG:
		*reg_slot(regs, e->reg) = *reg_slot(regs, e->src);
		break;
	case EMU_SUB_RSP:
		sub_rsp(regs, e->disp);
		break;
	}
	regs->rip = addr + e->len;
	return true;
}
