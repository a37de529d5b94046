/* Unit tests for scan.c, on this very process: many small mappings read in
   batches, pieces that cannot be read (unmapped since the snapshot, whole
   or in part), a mapping bigger than one read, the skipped ranges, pages
   never written, and several ranges in one scan. */
#include "config.h"
#include "procfd.h"
#include "scan.h"
#include "stats.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cunit_main.h"

/* The range the scan looks for: never a real address here. */
#define LO 0x7e5500000000ULL
#define HI (LO + 0x10000)

static size_t page;
/* This process's /proc/self/pagemap, as procfd.c keeps a tracee's. */
static int self_pagemap = -1;

/* A snapshot entry for [start, end), rw-p anonymous. */
static void
add(struct maps_snapshot *s, size_t *cap, uint64_t start, uint64_t end)
{
	if (s->n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		s->v = realloc(s->v, *cap * sizeof(*s->v));
		CU_ASSERT_PTR_NOT_NULL_FATAL(s->v);
	}
	memset(&s->v[s->n], 0, sizeof(s->v[s->n]));
	s->v[s->n].start = start;
	s->v[s->n].end = end;
	memcpy(s->v[s->n].perms, "rw-p", 5);
	s->n++;
}

static uint8_t *
map_pages(size_t n)
{
	void *p = mmap(NULL, n * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(p != MAP_FAILED);
	return p;
}

static void
put(uint8_t *at, uint64_t value)
{
	memcpy(at, &value, sizeof(value));
}

/* Whether a hit at where with value is in r. */
static bool
has_hit(const struct scan_result *r, uint64_t where, uint64_t value)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->hits[i].where == where && r->hits[i].value == value)
			return true;
	return false;
}

enum { N = 3000 };

/* Every seventh of the mappings below is unmapped after the snapshot;
   not the last, the lowest: the scan's own buffer may be mapped below
   it, and so over its place. */
static bool
gone(size_t i)
{
	return i % 7 == 3 && i + 1 < N;
}

/* 3000 one-page mappings (more pieces than one call takes), some unmapped
   after the snapshot was made: every pointer in the others is found, in
   a call per MiB and one per unreadable piece at most. */
static void
test_many_small(void)
{
	struct maps_snapshot s = { 0 };
	size_t cap = 0, want = 0;
	uint8_t **pages = calloc(N, sizeof(*pages));
	CU_ASSERT_PTR_NOT_NULL_FATAL(pages);
	for (size_t i = 0; i < N; i++) {
		pages[i] = map_pages(1);
		put(pages[i] + (i % (page / 8)) * 8, LO + i);
		add(&s, &cap, (uint64_t)pages[i], (uint64_t)pages[i] + page);
	}
	for (size_t i = 0; i < N; i++)
		if (gone(i))
			munmap(pages[i], page);
		else
			want++;
	unsigned long calls = stats.scan_calls;
	struct scan_result r;
	scan_process(getpid(), self_pagemap, &s, LO, HI, 0, 0, 0, &r);
	CU_ASSERT_EQUAL(r.n, want);
	CU_ASSERT_EQUAL(r.bytes, want * page);
	for (size_t i = 0; i < N; i++)
		if (!gone(i))
			CU_ASSERT(has_hit(&r, (uint64_t)pages[i] + (i % (page / 8)) * 8, LO + i));
	CU_ASSERT(stats.scan_calls - calls <= ((N * page) >> 20) + 1 + (N - want));
	scan_result_free(&r);
	for (size_t i = 0; i < N; i++)
		if (!gone(i))
			munmap(pages[i], page);
	free(pages);
	free(s.v);
}

/* A mapping with a page unmapped in its middle since the snapshot, and
   one unmapped at its start: what can be read around the holes is read. */
static void
test_holes(void)
{
	struct maps_snapshot s = { 0 };
	size_t cap = 0;
	uint8_t *a = map_pages(5), *b = map_pages(3), *c = map_pages(1);
	for (size_t i = 0; i < 5; i++)
		put(a + i * page + 8, LO + 0x100 + i);
	for (size_t i = 0; i < 3; i++)
		put(b + i * page, LO + 0x200 + i);
	put(c + page - 8, LO + 0x300);
	add(&s, &cap, (uint64_t)a, (uint64_t)a + 5 * page);
	add(&s, &cap, (uint64_t)b, (uint64_t)b + 3 * page);
	add(&s, &cap, (uint64_t)c, (uint64_t)c + page);
	munmap(a + 2 * page, page);
	munmap(b, page);
	struct scan_result r;
	scan_process(getpid(), self_pagemap, &s, LO, HI, 0, 0, 0, &r);
	/* a: pages 0, 1, 3, 4; b: its first page is gone, so the rest of
	   that piece is dropped; c whole. */
	CU_ASSERT(has_hit(&r, (uint64_t)a + 8, LO + 0x100));
	CU_ASSERT(has_hit(&r, (uint64_t)a + page + 8, LO + 0x101));
	CU_ASSERT(has_hit(&r, (uint64_t)a + 3 * page + 8, LO + 0x103));
	CU_ASSERT(has_hit(&r, (uint64_t)a + 4 * page + 8, LO + 0x104));
	CU_ASSERT(has_hit(&r, (uint64_t)c + page - 8, LO + 0x300));
	CU_ASSERT_EQUAL(r.n, 5);
	CU_ASSERT_EQUAL(r.bytes, 5 * page);
	scan_result_free(&r);
	munmap(a, 2 * page);
	munmap(a + 3 * page, 2 * page);
	munmap(b + page, 2 * page);
	munmap(c, page);
	free(s.v);
}

/* A mapping bigger than one read (3 MiB + a page), with words at the
   ends of every read; and the ranges left out: the library's own
   [skip_lo, skip_hi) and the dead stack below live_sp. */
static void
test_big_and_skips(void)
{
	size_t n = (3u << 20) / page + 1;
	uint8_t *m = map_pages(n);
	struct maps_snapshot s = { 0 };
	size_t cap = 0;
	add(&s, &cap, (uint64_t)m, (uint64_t)m + n * page);
	size_t at[] = { 0, (1u << 20) - 8, 1u << 20, (2u << 20) + 8, n * page - 8 };
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		put(m + at[i], LO + i);
	struct scan_result r;
	scan_process(getpid(), self_pagemap, &s, LO, HI, 0, 0, 0, &r);
	CU_ASSERT_EQUAL(r.n, 5);
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		CU_ASSERT(has_hit(&r, (uint64_t)m + at[i], LO + i));
	scan_result_free(&r);
	/* Left out: the first MiB (as the library's own data), and below
	   live_sp at 2 MiB + 8 (the word there is live). */
	scan_process(getpid(), self_pagemap, &s, LO, HI, (uint64_t)m, (uint64_t)m + (1u << 20), 0, &r);
	CU_ASSERT_EQUAL(r.n, 3);
	CU_ASSERT_FALSE(has_hit(&r, (uint64_t)m, LO));
	scan_result_free(&r);
	scan_process(getpid(), self_pagemap, &s, LO, HI, 0, 0, (uint64_t)m + (2u << 20) + 8, &r);
	CU_ASSERT_EQUAL(r.n, 2);
	CU_ASSERT(has_hit(&r, (uint64_t)m + (2u << 20) + 8, LO + 3));
	scan_result_free(&r);
	munmap(m, n * page);
	free(s.v);
}

/* A mapping of 64 pages of which three were written (the first, one in
   the middle, the last): only those are read, the others counted as
   never written; the dead stack below live_sp still left out. */
static void
test_never_written(void)
{
	size_t n = 64;
	uint8_t *m = map_pages(n);
	struct maps_snapshot s = { 0 };
	size_t cap = 0;
	add(&s, &cap, (uint64_t)m, (uint64_t)m + n * page);
	put(m + 16, LO + 1);
	put(m + 40 * page + 8, LO + 2);
	put(m + n * page - 8, LO + 3);
	struct scan_result r;
	scan_process(getpid(), self_pagemap, &s, LO, HI, 0, 0, 0, &r);
	CU_ASSERT_EQUAL(r.n, 3);
	CU_ASSERT(has_hit(&r, (uint64_t)m + 16, LO + 1));
	CU_ASSERT(has_hit(&r, (uint64_t)m + 40 * page + 8, LO + 2));
	CU_ASSERT(has_hit(&r, (uint64_t)m + n * page - 8, LO + 3));
	CU_ASSERT_EQUAL(r.bytes, 3 * page);
	CU_ASSERT_EQUAL(r.skipped, (n - 3) * page);
	scan_result_free(&r);
	/* The caller's pagemap stays open. */
	CU_ASSERT_NOT_EQUAL(fcntl(self_pagemap, F_GETFD), -1);
	/* From the middle of the first page: its word at 16 is dead stack. */
	scan_process(getpid(), self_pagemap, &s, LO, HI, 0, 0, (uint64_t)m + 24, &r);
	CU_ASSERT_EQUAL(r.n, 2);
	CU_ASSERT_FALSE(has_hit(&r, (uint64_t)m + 16, LO + 1));
	CU_ASSERT_EQUAL(r.bytes, 3 * page - 24);
	scan_result_free(&r);
	/* Without a pagemap, every page is read (last: reading maps the
	   zero page where nothing was written). */
	scan_process(getpid(), -1, &s, LO, HI, 0, 0, 0, &r);
	CU_ASSERT_EQUAL(r.n, 3);
	CU_ASSERT_EQUAL(r.bytes, n * page);
	CU_ASSERT_EQUAL(r.skipped, 0);
	scan_result_free(&r);
	munmap(m, n * page);
	free(s.v);
}

/* Two ranges read in one scan: words into either are found (at their
   edges too), words between them or past them are not. */
static void
test_ranges(void)
{
	uint8_t *m = map_pages(1);
	struct maps_snapshot s = { 0 };
	size_t cap = 0;
	add(&s, &cap, (uint64_t)m, (uint64_t)m + page);
	const struct scan_target t[] = { { LO, LO + 0x100 }, { LO + 0x1000, LO + 0x2000 } };
	const uint64_t in[] = { LO, LO + 0xff, LO + 0x1000, LO + 0x1fff };
	const uint64_t out[] = { LO + 0x100, LO + 0x800, LO + 0xfff, LO + 0x2000, LO - 1 };
	size_t k = 0;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		put(m + 8 * k++, in[i]);
	for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++)
		put(m + 8 * k++, out[i]);
	struct scan_result r;
	scan_process_ranges(getpid(), self_pagemap, &s, t, 2, 0, &r);
	CU_ASSERT_EQUAL(r.n, sizeof(in) / sizeof(in[0]));
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		CU_ASSERT(has_hit(&r, (uint64_t)m + 8 * i, in[i]));
	scan_result_free(&r);
	munmap(m, page);
	free(s.v);
}

/* 40 MiB in two mappings: read by two threads when the tool may use two
   CPUs, by one otherwise; every pointer found either way, in address
   order, each once (at the edges of the halves too). */
static void
test_shared(void)
{
	size_t n1 = (24u << 20) / page, n2 = (16u << 20) / page;
	uint8_t *a = map_pages(n1), *b = map_pages(n2);
	memset(a, 1, n1 * page);
	memset(b, 1, n2 * page);
	struct maps_snapshot s = { 0 };
	size_t cap = 0;
	uint8_t *lo = a < b ? a : b, *hi = a < b ? b : a;
	size_t nlo = a < b ? n1 : n2, nhi = a < b ? n2 : n1;
	add(&s, &cap, (uint64_t)lo, (uint64_t)lo + nlo * page);
	add(&s, &cap, (uint64_t)hi, (uint64_t)hi + nhi * page);
	/* Every MiB's first and last word, and those around the middle. */
	uint64_t want[128];
	size_t k = 0;
	for (size_t m = 0; m < nlo * page >> 20; m++) {
		want[k++] = (uint64_t)lo + (m << 20);
		want[k++] = (uint64_t)lo + ((m + 1) << 20) - 8;
	}
	for (size_t m = 0; m < nhi * page >> 20; m++) {
		want[k++] = (uint64_t)hi + (m << 20);
		want[k++] = (uint64_t)hi + ((m + 1) << 20) - 8;
	}
	for (size_t i = 0; i < k; i++)
		put((uint8_t *)want[i], LO + i);
	unsigned long shared = stats.scans_shared;
	struct scan_result r;
	scan_process(getpid(), self_pagemap, &s, LO, HI, 0, 0, 0, &r);
	CU_ASSERT_EQUAL(r.n, k);
	for (size_t i = 0; i < k; i++)
		CU_ASSERT(has_hit(&r, want[i], LO + i));
	for (size_t i = 1; i < r.n; i++)
		CU_ASSERT(r.hits[i - 1].where < r.hits[i].where);
	CU_ASSERT_EQUAL(r.bytes, (nlo + nhi) * page);
	cpu_set_t set;
	bool two = sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 1;
	CU_ASSERT_EQUAL(stats.scans_shared - shared, two ? 1 : 0);
	scan_result_free(&r);
	munmap(a, n1 * page);
	munmap(b, n2 * page);
	free(s.v);
}

/* A thread that waits for a byte on a pipe, its tid noted first. */
struct waiter {
	int fds[2];
	_Atomic pid_t tid;
};

static void *
wait_byte(void *arg)
{
	struct waiter *w = arg;
	w->tid = gettid();
	char c;
	while (read(w->fds[0], &c, 1) < 0)
		;
	return NULL;
}

/* The /proc files the scans read, kept open: the pagemap once; statm
   through the thread it was opened with, and again through another once
   that one has ended (as when a main thread calls pthread_exit). */
static void
test_kept_files(void)
{
	struct proc_fds f = { 0 };
	char buf[256];
	int pm = procfd_pagemap(&f, gettid());
	CU_ASSERT(pm >= 0);
	CU_ASSERT_EQUAL(procfd_pagemap(&f, gettid()), pm);
	struct waiter w = { .tid = 0 };
	CU_ASSERT_FATAL(pipe(w.fds) == 0);
	pthread_t t;
	CU_ASSERT_FATAL(pthread_create(&t, NULL, wait_byte, &w) == 0);
	while (!w.tid)
		sched_yield();
	CU_ASSERT(procfd_read_statm(&f, getpid(), w.tid, buf, sizeof(buf)) > 0);
	CU_ASSERT_EQUAL(f.statm_tid, w.tid);
	CU_ASSERT(write(w.fds[1], "x", 1) == 1);
	pthread_join(t, NULL);
	close(w.fds[0]);
	close(w.fds[1]);
	/* Kept through a thread that is gone: opened again through ours. */
	CU_ASSERT(procfd_read_statm(&f, getpid(), gettid(), buf, sizeof(buf)) > 0);
	CU_ASSERT_EQUAL(f.statm_tid, gettid());
	CU_ASSERT(buf[0] >= '1' && buf[0] <= '9');
	/* And kept from then on. */
	int kept = f.statm;
	CU_ASSERT(procfd_read_statm(&f, getpid(), gettid(), buf, sizeof(buf)) > 0);
	CU_ASSERT_EQUAL(f.statm, kept);
	procfd_close(&f);
	CU_ASSERT_EQUAL(f.statm, 0);
	CU_ASSERT_EQUAL(f.pagemap, 0);
	CU_ASSERT_EQUAL(fcntl(pm, F_GETFD), -1);
}

static int worker_pipe[2];

static void *
worker_sleeps(void *arg)
{
	(void)arg;
	pid_t tid = gettid();
	if (write(worker_pipe[1], &tid, sizeof(tid)) != sizeof(tid))
		_exit(1);
	pause();
	return NULL;
}

/* A process whose main thread called pthread_exit: its statm reads as
   all zeros through the main thread (a zombie until the last thread
   ends), and is read again through the thread that is left. */
static void
test_kept_statm_zombie_leader(void)
{
	CU_ASSERT_FATAL(pipe(worker_pipe) == 0);
	pid_t child = fork();
	CU_ASSERT_FATAL(child >= 0);
	if (child == 0) {
		pthread_t t;
		if (pthread_create(&t, NULL, worker_sleeps, NULL) != 0)
			_exit(1);
		pthread_exit(NULL);
	}
	pid_t worker = 0;
	CU_ASSERT_FATAL(read(worker_pipe[0], &worker, sizeof(worker)) == sizeof(worker));
	/* Until the main thread is a zombie. */
	char path[64], state = 0;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)child, (int)child);
	for (int i = 0; i < 1000 && state != 'Z'; i++) {
		FILE *st = fopen(path, "r");
		if (st) {
			if (fscanf(st, "%*d (%*[^)]) %c", &state) != 1)
				state = 0;
			fclose(st);
		}
		if (state != 'Z')
			usleep(1000);
	}
	CU_ASSERT_EQUAL(state, 'Z');
	struct proc_fds f = { 0 };
	char buf[256];
	CU_ASSERT(procfd_read_statm(&f, child, child, buf, sizeof(buf)) < 0);
	CU_ASSERT(procfd_read_statm(&f, child, worker, buf, sizeof(buf)) > 0);
	CU_ASSERT_EQUAL(f.statm_tid, worker);
	CU_ASSERT(buf[0] >= '1' && buf[0] <= '9');
	procfd_close(&f);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(worker_pipe[0]);
	close(worker_pipe[1]);
}

int
main(void)
{
	page = (size_t)sysconf(_SC_PAGESIZE);
	self_pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	CU_TestInfo tests[] = {
		{ "many small mappings, some gone", test_many_small },
		{ "holes inside and at the start of mappings", test_holes },
		{ "a mapping bigger than a read, and what is left out", test_big_and_skips },
		{ "pages never written are not read", test_never_written },
		{ "two ranges in one scan", test_ranges },
		{ "a big scan read by two threads", test_shared },
		{ "/proc files kept open", test_kept_files },
		{ "statm kept open, the main thread gone", test_kept_statm_zombie_leader },
		CU_TEST_INFO_NULL,
	};

	return cunit_run("scan", tests);
}
