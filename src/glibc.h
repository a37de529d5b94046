/* Facts about the glibc a traced process runs, read from the process
   itself: the layouts the tool relies on change between releases. */
#ifndef TA_GLIBC_H
#define TA_GLIBC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct elf_file;

/* The release ("2.36") of the libc.so.6 file elf, loaded in pid with
   bias l_addr: the string gnu_get_libc_version() returns, found by
   decoding that function (lea disp32(%rip),%rax; ret) in the process's
   memory.  False if it does not look like that. */
bool glibc_version_read(pid_t pid, struct elf_file *elf, uint64_t l_addr, char *buf, size_t size);

#endif
