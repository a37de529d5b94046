/* Handing a faulting process to gdb, with the symbols of the libraries it
   unloaded added back at their old addresses. */
#ifndef TA_GDB_HANDOFF_H
#define TA_GDB_HANDOFF_H

#include <sys/types.h>

struct process;
struct finding;

/* Write teardown-audit-PID.gdb (in the current directory, else in $TMPDIR
   or /tmp): add-symbol-file for every library p unloaded, the fault's
   address and pc as $ta_fault_addr and $ta_fault_pc, and a ta-show
   command.  Returns its malloc'd path, or NULL. */
char *gdb_write_script(struct process *p, const struct finding *f);
/* Start "$TEARDOWN_AUDIT_GDB -p PID -x SCRIPT $TEARDOWN_AUDIT_GDB_ARGS"
   (default gdb -q) as our child.  Returns its pid, or -1. */
pid_t gdb_start(pid_t pid, const char *script);

#endif
