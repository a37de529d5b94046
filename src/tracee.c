#include "config.h"
#include "tracee.h"
#include "clock.h"
#include "error.h"
#include "xmalloc.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct process *process_list;
static struct process **process_tail = &process_list;
static unsigned int process_seq;

/* Threads come and go by the thousand: a small hash by tid. */
#define TRACEE_BUCKETS 1024
static struct tracee *tracee_hash[TRACEE_BUCKETS];

static unsigned int
tid_bucket(pid_t tid)
{
	return (unsigned int)tid % TRACEE_BUCKETS;
}

struct tracee *
tracee_find(pid_t tid)
{
	for (struct tracee *t = tracee_hash[tid_bucket(tid)]; t; t = t->hash_next)
		if (t->tid == tid)
			return t;
	return NULL;
}

static void
tracee_unhash(struct tracee *t)
{
	struct tracee **pp = &tracee_hash[tid_bucket(t->tid)];
	while (*pp && *pp != t)
		pp = &(*pp)->hash_next;
	if (*pp)
		*pp = t->hash_next;
}

static void
tracee_hash_in(struct tracee *t)
{
	unsigned int b = tid_bucket(t->tid);
	t->hash_next = tracee_hash[b];
	tracee_hash[b] = t;
}

void
tracee_for_each(struct process *p, void (*fn)(struct tracee *t, void *arg), void *arg)
{
	for (unsigned int b = 0; b < TRACEE_BUCKETS; b++) {
		struct tracee *t = tracee_hash[b];
		while (t) {
			struct tracee *next = t->hash_next;
			if (t->proc == p)
				fn(t, arg);
			t = next;
		}
	}
}

void
tracee_forget(struct tracee *t)
{
	tracee_unhash(t);
	if (t->proc->nthreads)
		t->proc->nthreads--;
	free(t);
}

struct tracee *
tracee_new(pid_t tid, struct process *proc)
{
	struct tracee *t = xcalloc(1, sizeof(*t));
	t->tid = tid;
	t->proc = proc;
	proc->nthreads++;
	tracee_hash_in(t);
	return t;
}

void
tracee_drop(struct tracee *t, int wait_status)
{
	struct process *p = t->proc;
	tracee_unhash(t);
	if (p->nthreads)
		p->nthreads--;
	/* The leader is reaped last, after every other thread of the group:
	   its status is the process's. */
	if (t->tid == p->pid && !p->ended) {
		p->ended = true;
		p->wait_status = wait_status;
		p->ended_at = clock_now();
		struct tl_event *e = timeline_add(&p->timeline, TL_EXIT, t->tid, NULL);
		e->status = wait_status;
		bp_table_close_mem(&p->bps);
		procfd_close(&p->procfds);
	}
	free(t);
}

static char *
read_small_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (n == cap) {
			/* argv can be long, but not unbounded in our report. */
			if (cap >= 1 << 20)
				break;
			buf = xrealloc(buf, cap *= 2);
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r <= 0)
			break;
		n += r;
	}
	close(fd);
	*len = n;
	return buf;
}

static void
free_argv(char **argv)
{
	if (!argv)
		return;
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

void
process_read_identity(struct process *p)
{
	char path[64], buf[PATH_MAX];

	snprintf(path, sizeof(path), "/proc/%d/exe", p->pid);
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		free(p->exe);
		p->exe = xstrdup(buf);
	}

	snprintf(path, sizeof(path), "/proc/%d/cmdline", p->pid);
	size_t len = 0;
	char *cmd = read_small_file(path, &len);
	if (!cmd)
		return;
	size_t argc = 0;
	for (size_t i = 0; i < len; i++)
		if (cmd[i] == '\0')
			argc++;
	if (len && cmd[len - 1] != '\0')
		argc++;
	char **argv = xcalloc(argc + 1, sizeof(*argv));
	size_t k = 0;
	for (size_t i = 0; i < len && k < argc; k++) {
		size_t l = strnlen(cmd + i, len - i);
		argv[k] = xstrndup(cmd + i, l);
		i += l + 1;
	}
	free(cmd);
	free_argv(p->argv);
	p->argv = argv;
}

struct process *
process_new(pid_t pid, pid_t parent_pid)
{
	struct process *p = xcalloc(1, sizeof(*p));
	p->pid = pid;
	p->parent_pid = parent_pid;
	p->seq = ++process_seq;
	p->started_at = clock_now();
	maps_history_init(&p->history);
	*process_tail = p;
	process_tail = &p->next;
	return p;
}

void
process_end_by_exec(struct process *old, struct process *image)
{
	old->ended = true;
	old->exec_ended = true;
	old->ended_at = clock_now();
	image->nthreads = old->nthreads;
	old->nthreads = 0;
	/* The new image owns nothing of the old address space. */
	bp_table_free(&old->bps);
	deferred_list_free(&old->deferred);
	procfd_close(&old->procfds);
}

const char *
process_name(const struct process *p)
{
	const char *exe = p->exe ? p->exe : (p->argv && p->argv[0] ? p->argv[0] : "?");
	const char *slash = strrchr(exe, '/');
	return slash ? slash + 1 : exe;
}
