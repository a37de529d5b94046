/* The faulting instruction, decoded (Capstone): its text, whether it reads
   or writes memory, and which registers it used to form an address.  Only
   those registers are evidence in a diagnosis: in a big process the other
   registers point everywhere. */
#ifndef TA_INSN_H
#define TA_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/user.h>

/* General registers, in the order of insn_reg_name(). */
enum insn_reg {
	IREG_NONE = -1,
	IREG_RAX, IREG_RBX, IREG_RCX, IREG_RDX, IREG_RSI, IREG_RDI, IREG_RBP, IREG_RSP,
	IREG_R8, IREG_R9, IREG_R10, IREG_R11, IREG_R12, IREG_R13, IREG_R14, IREG_R15,
	IREG_COUNT
};

#define INSN_MAX_LEN 15
#define INSN_MAX_REGS 4

/* An explicit memory operand: disp(base, index, scale). */
struct insn_mem {
	int base, index;	/* enum insn_reg, IREG_NONE if absent */
	unsigned int scale;
	int64_t disp;
	bool rip_relative;
	bool other_segment;	/* %fs/%gs: the address is not computable here */
};

struct insn {
	unsigned int len;
	char text[96];			/* "mov (%rax), %edx" */
	bool reads_mem, writes_mem;	/* explicit or implicit (push, call) */
	bool is_call, is_jump, is_ret;
	bool indirect;			/* a call or jump through a register or memory */
	int target_reg;			/* indirect through a register */
	bool has_mem;			/* mem: its (first) memory operand */
	struct insn_mem mem;
	int addr_regs[INSN_MAX_REGS];	/* registers that formed an address */
	unsigned int naddr_regs;
};

/* Decode the instruction at the start of code (n bytes, at address pc).
   False if it is not a valid instruction. */
bool insn_decode(const uint8_t *code, size_t n, uint64_t pc, struct insn *out);

/* "rax" for IREG_RAX. */
const char *insn_reg_name(int reg);
uint64_t insn_reg_value(const struct user_regs_struct *r, int reg);

/* The address a memory operand refers to with these registers; false when
   it cannot be computed (a segment base). */
bool insn_mem_address(const struct insn *in, uint64_t pc, const struct user_regs_struct *r,
		      uint64_t *addr);

#endif
