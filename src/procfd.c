#include "config.h"
#include "procfd.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static int
open_proc(const char *path)
{
	return open(path, O_RDONLY | O_CLOEXEC);
}

ssize_t
procfd_read_statm(struct proc_fds *f, pid_t pid, pid_t tid, char *buf, size_t len)
{
	if (len < 2)
		return -1;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!f->statm || (attempt && f->statm_tid != tid)) {
			if (f->statm)
				close(f->statm - 1);
			char path[64];
			snprintf(path, sizeof(path), "/proc/%d/task/%d/statm", (int)pid, (int)tid);
			int fd = open_proc(path);
			f->statm = fd + 1;
			f->statm_tid = tid;
			if (fd < 0)
				return -1;
		}
		/* A seq_file read at offset 0 shows the values of now.  A
		   thread that has ended shows a size of 0 (it has no memory
		   any more), or nothing. */
		ssize_t n = pread(f->statm - 1, buf, len - 1, 0);
		if (n > 0 && buf[0] != '0') {
			buf[n] = '\0';
			return n;
		}
		/* Once more, through tid. */
		if (f->statm_tid == tid)
			return -1;
	}
	return -1;
}

int
procfd_pagemap(struct proc_fds *f, pid_t tid)
{
	if (!f->pagemap) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)tid);
		f->pagemap = open_proc(path) + 1;
	}
	return f->pagemap - 1;
}

void
procfd_close(struct proc_fds *f)
{
	if (f->statm > 0)
		close(f->statm - 1);
	if (f->pagemap > 0)
		close(f->pagemap - 1);
	f->statm = f->pagemap = 0;
}
