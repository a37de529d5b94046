/* Emulating the instruction under a breakpoint, so that a thread that hit it
   can go on without the int3 being taken out for a single-step: no other
   thread can slip past unseen, and one stop is saved.  Only the few
   instructions found at the entries we break on; sub sets the flags as the
   processor would. */
#ifndef TA_EMULATE_H
#define TA_EMULATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

enum emu_kind {
	EMU_NONE,		/* unknown: single-step it */
	EMU_RET,		/* ret */
	EMU_SKIP,		/* endbr64, nop: nothing but rip += len */
	EMU_PUSH,		/* push %reg */
	EMU_LOAD_RIPREL,	/* mov disp32(%rip), %reg (64-bit) */
	EMU_MOV_REG,		/* mov %src, %reg (64-bit) */
	EMU_SUB_RSP,		/* sub $imm, %rsp (libdl's dlopen before glibc 2.34) */
};

struct emulation {
	enum emu_kind kind;
	uint8_t len;		/* instruction length */
	uint8_t reg;		/* destination, or pushed register: 0 rax .. 15 r15 */
	uint8_t src;		/* EMU_MOV_REG: source */
	int32_t disp;		/* EMU_LOAD_RIPREL; EMU_SUB_RSP: the immediate */
};

/* Decode the instruction at the start of code (n bytes available). */
void emulate_decode(const uint8_t *code, size_t n, struct emulation *e);
/* Carry out e for the instruction at addr, updating regs (written back by
   the caller) and the tracee's stack.  False if memory access failed: then
   single-step instead. */
bool emulate_apply(pid_t tid, const struct emulation *e, uint64_t addr,
		   struct user_regs_struct *regs);

#endif
