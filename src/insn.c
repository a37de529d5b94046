#include "config.h"
#include "insn.h"
#include "error.h"

#include <capstone/capstone.h>
#include <stdio.h>
#include <string.h>

static csh handle;
static bool opened, open_failed;

static bool
insn_open(void)
{
	if (opened || open_failed)
		return opened;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle) != CS_ERR_OK) {
		error_msg("cannot start the instruction decoder (capstone): faulting "
			  "instructions will not be decoded");
		open_failed = true;
		return false;
	}
	cs_option(handle, CS_OPT_DETAIL, CS_OPT_ON);
	cs_option(handle, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
	opened = true;
	return true;
}

/* Capstone's register to ours; 32-bit forms count as the full register
   (an address-size prefix forms addresses from them). */
static int
reg_from_capstone(unsigned int r)
{
	static const struct { unsigned int cs64, cs32; } map[IREG_COUNT] = {
		[IREG_RAX] = { X86_REG_RAX, X86_REG_EAX }, [IREG_RBX] = { X86_REG_RBX, X86_REG_EBX },
		[IREG_RCX] = { X86_REG_RCX, X86_REG_ECX }, [IREG_RDX] = { X86_REG_RDX, X86_REG_EDX },
		[IREG_RSI] = { X86_REG_RSI, X86_REG_ESI }, [IREG_RDI] = { X86_REG_RDI, X86_REG_EDI },
		[IREG_RBP] = { X86_REG_RBP, X86_REG_EBP }, [IREG_RSP] = { X86_REG_RSP, X86_REG_ESP },
		[IREG_R8] = { X86_REG_R8, X86_REG_R8D }, [IREG_R9] = { X86_REG_R9, X86_REG_R9D },
		[IREG_R10] = { X86_REG_R10, X86_REG_R10D }, [IREG_R11] = { X86_REG_R11, X86_REG_R11D },
		[IREG_R12] = { X86_REG_R12, X86_REG_R12D }, [IREG_R13] = { X86_REG_R13, X86_REG_R13D },
		[IREG_R14] = { X86_REG_R14, X86_REG_R14D }, [IREG_R15] = { X86_REG_R15, X86_REG_R15D },
	};
	if (r == X86_REG_INVALID)
		return IREG_NONE;
	for (int i = 0; i < IREG_COUNT; i++)
		if (map[i].cs64 == r || map[i].cs32 == r)
			return i;
	return IREG_NONE;
}

const char *
insn_reg_name(int reg)
{
	static const char *const names[IREG_COUNT] = {
		"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
		"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
	};
	return reg >= 0 && reg < IREG_COUNT ? names[reg] : "?";
}

uint64_t
insn_reg_value(const struct user_regs_struct *r, int reg)
{
	switch (reg) {
	case IREG_RAX: return r->rax;
	case IREG_RBX: return r->rbx;
	case IREG_RCX: return r->rcx;
	case IREG_RDX: return r->rdx;
	case IREG_RSI: return r->rsi;
	case IREG_RDI: return r->rdi;
	case IREG_RBP: return r->rbp;
	case IREG_RSP: return r->rsp;
	case IREG_R8: return r->r8;
	case IREG_R9: return r->r9;
	case IREG_R10: return r->r10;
	case IREG_R11: return r->r11;
	case IREG_R12: return r->r12;
	case IREG_R13: return r->r13;
	case IREG_R14: return r->r14;
	case IREG_R15: return r->r15;
	}
	return 0;
}

static void
add_addr_reg(struct insn *out, int reg)
{
	if (reg == IREG_NONE || out->naddr_regs == INSN_MAX_REGS)
		return;
	for (unsigned int i = 0; i < out->naddr_regs; i++)
		if (out->addr_regs[i] == reg)
			return;
	out->addr_regs[out->naddr_regs++] = reg;
}

static bool
mnemonic_is(const char *m, const char *const *list)
{
	for (; *list; list++)
		if (strncmp(m, *list, strlen(*list)) == 0)
			return true;
	return false;
}

/* What the instruction does to memory that no operand shows. */
static void
implicit_accesses(const cs_insn *ci, struct insn *out)
{
	static const char *const stack_writers[] = { "push", "call", "enter", NULL };
	static const char *const stack_readers[] = { "pop", "ret", "leave", NULL };
	static const char *const string_ops[] = { "movs", "cmps", "lods", "stos", "scas",
						  "rep", NULL };
	const char *m = ci->mnemonic;
	if (mnemonic_is(m, stack_writers)) {
		out->writes_mem = true;
		add_addr_reg(out, IREG_RSP);
	} else if (mnemonic_is(m, stack_readers)) {
		out->reads_mem = true;
		add_addr_reg(out, IREG_RSP);
	} else if (mnemonic_is(m, string_ops)) {
		out->reads_mem = true;
		out->writes_mem = strstr(m, "stos") || strstr(m, "movs");
		add_addr_reg(out, IREG_RSI);
		add_addr_reg(out, IREG_RDI);
	}
}

bool
insn_decode(const uint8_t *code, size_t n, uint64_t pc, struct insn *out)
{
	memset(out, 0, sizeof(*out));
	out->target_reg = IREG_NONE;
	out->mem.base = out->mem.index = IREG_NONE;
	if (!insn_open())
		return false;
	cs_insn *ci;
	if (cs_disasm(handle, code, n, pc, 1, &ci) != 1)
		return false;
	out->len = ci->size;
	/* Mnemonic and operands, cut to fit: the text is for people. */
	size_t m = strlen(ci->mnemonic);
	if (m >= sizeof(out->text))
		m = sizeof(out->text) - 1;
	memcpy(out->text, ci->mnemonic, m);
	out->text[m] = '\0';
	if (ci->op_str[0] && m + 2 < sizeof(out->text)) {
		out->text[m] = ' ';
		size_t o = strlen(ci->op_str);
		if (o > sizeof(out->text) - m - 2)
			o = sizeof(out->text) - m - 2;
		memcpy(out->text + m + 1, ci->op_str, o);
		out->text[m + 1 + o] = '\0';
	}
	out->is_call = cs_insn_group(handle, ci, X86_GRP_CALL);
	out->is_jump = cs_insn_group(handle, ci, X86_GRP_JUMP);
	out->is_ret = cs_insn_group(handle, ci, X86_GRP_RET);
	const cs_x86 *x = &ci->detail->x86;
	for (unsigned int i = 0; i < x->op_count; i++) {
		const cs_x86_op *op = &x->operands[i];
		if (op->type == X86_OP_REG && (out->is_call || out->is_jump)) {
			out->indirect = true;
			out->target_reg = reg_from_capstone(op->reg);
			add_addr_reg(out, out->target_reg);
		}
		if (op->type != X86_OP_MEM)
			continue;
		/* lea and nop forms compute an address but touch no memory. */
		if (strncmp(ci->mnemonic, "lea", 3) == 0 || strncmp(ci->mnemonic, "nop", 3) == 0)
			continue;
		if (!out->has_mem) {
			out->has_mem = true;
			out->mem.base = reg_from_capstone(op->mem.base);
			out->mem.index = reg_from_capstone(op->mem.index);
			out->mem.scale = (unsigned int)op->mem.scale;
			out->mem.disp = op->mem.disp;
			out->mem.rip_relative = op->mem.base == X86_REG_RIP;
			out->mem.other_segment = op->mem.segment != X86_REG_INVALID;
		}
		add_addr_reg(out, reg_from_capstone(op->mem.base));
		add_addr_reg(out, reg_from_capstone(op->mem.index));
		if (out->is_call || out->is_jump) {
			out->indirect = true;
			out->reads_mem = true;
		} else {
			/* Capstone 4 leaves access unset for some forms: then
			   count both, which only widens what the verdict says. */
			out->reads_mem |= !op->access || (op->access & CS_AC_READ);
			out->writes_mem |= !op->access || (op->access & CS_AC_WRITE);
		}
	}
	implicit_accesses(ci, out);
	cs_free(ci, 1);
	return true;
}

bool
insn_mem_address(const struct insn *in, uint64_t pc, const struct user_regs_struct *r,
		 uint64_t *addr)
{
	if (!in->has_mem || in->mem.other_segment)
		return false;
	uint64_t a = (uint64_t)in->mem.disp;
	if (in->mem.rip_relative)
		a += pc + in->len;
	else if (in->mem.base != IREG_NONE)
		a += insn_reg_value(r, in->mem.base);
	if (in->mem.index != IREG_NONE)
		a += insn_reg_value(r, in->mem.index) * (in->mem.scale ? in->mem.scale : 1);
	*addr = a;
	return true;
}
