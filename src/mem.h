/* Reading and writing a tracee's memory.  Every address comes from a process
   that may be crashing: reads are bounded and may fail.  The pid argument
   is a thread id, that of the stopped thread being handled: once the main
   thread has called pthread_exit, the process's pid reads nothing. */
#ifndef TA_MEM_H
#define TA_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Read exactly len bytes at addr; false if any of it is unreadable. */
bool mem_read(pid_t pid, uint64_t addr, void *buf, size_t len);
/* Read as much as is readable from addr, up to len; returns the count. */
size_t mem_read_partial(pid_t pid, uint64_t addr, void *buf, size_t len);
bool mem_read_u64(pid_t pid, uint64_t addr, uint64_t *val);
/* Read n pieces of len bytes, at addrs[i] into bufs + i * len, in as few
   calls as the kernel allows; returns how many pieces from the first were
   read whole (the rest are unread). */
size_t mem_read_pieces(pid_t pid, const uint64_t *addrs, size_t n, size_t len, void *bufs);
/* A NUL-terminated string of at most max-1 bytes into buf; false if
   unreadable or not terminated within max bytes. */
bool mem_read_string(pid_t pid, uint64_t addr, char *buf, size_t max);
/* Write one byte through ptrace (works on read-only text).  pid must be a
   ptrace-stopped thread. */
bool mem_poke_byte(pid_t pid, uint64_t addr, uint8_t byte, uint8_t *old);

#endif
