/* Turning addresses of a process into module + demangled symbol, for the
   mappings that exist and for those that are gone. */
#ifndef TA_SYMBOLIZE_H
#define TA_SYMBOLIZE_H

#include "timeline.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

struct process;

/* Fill f for pc.  A return address (every frame but the innermost) is
   looked up at pc - 1, which is inside the call instruction. */
void symbolize_frame(struct process *p, uint64_t pc, bool is_return_address,
		     struct frame *f);
/* Walk and symbolize the stack of a stopped thread. */
void symbolize_stack(struct process *p, pid_t tid, const struct user_regs_struct *regs,
		     struct stack *out);
/* pc is the start of an rt_sigreturn trampoline (glibc's __restore_rt),
   read through the stopped thread tid. */
bool symbolize_is_sigreturn(pid_t tid, uint64_t pc);
/* Mark the frames of s at the signal trampoline (the sa_restorer the
   kernel made a handler return to), read through the stopped thread tid;
   the frame below one is where the signal came, an exact pc, not a return
   address. */
void symbolize_signal_frames(struct process *p, pid_t tid, struct stack *s);
/* Walk from pcs already captured. */
void symbolize_pcs(struct process *p, const uint64_t *pcs, size_t n,
		   size_t first_return_index, struct stack *out);

#endif
