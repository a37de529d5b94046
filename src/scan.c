#include "config.h"
#include "scan.h"
#include "clock.h"
#include "cpus.h"
#include "stats.h"
#include "xmalloc.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

/* Large reads amortize the syscall; 1 MiB stays in L2/L3. */
#define SCAN_CHUNK (1u << 20)
/* A report with more than this many pointers has made its point. */
#define SCAN_MAX_HITS 4096
/* Pieces per process_vm_readv: the kernel's UIO_MAXIOV is 1024. */
#define SCAN_IOV 1024
/* A page never written reads as zeros and holds no pointer: in a range
   of at least this many pages, only those /proc/PID/pagemap says are in
   memory or swapped out are read.  A thread's stack is a mapping of
   megabytes of which a few pages are used, a heap's end is reserved
   before it is touched. */
#define PAGEMAP_MIN_PAGES 16
#define PAGEMAP_BATCH 4096	/* entries per read of the pagemap */
#define PM_PRESENT (1ULL << 63)
#define PM_SWAPPED (1ULL << 62)
/* A scan of at least this many bytes (the pages never written left out)
   is shared with a second thread when the tool may run on more than one
   CPU: the stopped thread waits for it, and process_vm_readv copies at
   about the same rate in each of two threads (256 MiB: 46 ms in one, 23
   in two, here). */
#define SCAN_SPLIT_BYTES (32u << 20)

static bool
scannable(const struct map_entry *m)
{
	if (m->perms[1] != 'w' || m->perms[0] != 'r')
		return false;
	/* Shared mappings belong to other processes too; the kernel's own
	   pages hold nothing of the program's. */
	if (m->perms[3] == 's')
		return false;
	if (m->path && (strcmp(m->path, "[vvar]") == 0 || strcmp(m->path, "[vsyscall]") == 0))
		return false;
	return true;
}

static void
add_hit(struct scan_result *r, size_t *cap, uint64_t where, uint64_t value)
{
	if (r->n == SCAN_MAX_HITS) {
		r->dropped++;
		return;
	}
	r->hits = xgrow(r->hits, cap, r->n + 1, sizeof(*r->hits));
	r->hits[r->n].where = where;
	r->hits[r->n].value = value;
	r->n++;
}

/* What is to be read, in address order. */
struct span {
	uint64_t start, end;
};

struct span_list {
	struct span *v;
	size_t n, cap;
	uint64_t bytes;
};

/* Ranges are gathered into one process_vm_readv of up to SCAN_IOV
   pieces and SCAN_CHUNK bytes, so that a process with thousands of small
   writable mappings costs no more calls per byte than one big heap. */
struct batch {
	pid_t tid;
	uint64_t lo, span;	/* what holds every target */
	const struct scan_target *targets;	/* sorted; NULL: [lo, lo + span) */
	size_t ntargets;
	uint64_t *buf;		/* SCAN_CHUNK bytes */
	size_t page;
	struct iovec remote[SCAN_IOV];
	size_t n, bytes;
	struct scan_result *r;
	size_t *cap;
	int pagemap;		/* /proc/TID/pagemap, -1: read everything */
	uint64_t *entries;	/* PAGEMAP_BATCH of them */
	struct span_list *collect;	/* set: ranges go there, not read yet */
	unsigned long calls;	/* process_vm_readv calls made */
};

/* Whether v, between the first target's start and the last one's end,
   is in one of them. */
static bool
in_targets(const struct batch *b, uint64_t v)
{
	if (!b->targets)
		return true;
	size_t lo = 0, hi = b->ntargets;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (b->targets[mid].lo <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && v < b->targets[lo - 1].hi;
}

/* Scan n words of buf, read from remote address at. */
static void
scan_words(const struct batch *b, const uint64_t *buf, size_t words, uint64_t at)
{
	const uint64_t lo = b->lo, span = b->span;
	size_t i = 0;
	/* One unsigned compare per word (value - lo < span), four words to
	   a branch: hits are rare. */
	for (; i + 4 <= words; i += 4) {
		if (((buf[i] - lo < span) | (buf[i + 1] - lo < span) |
		     (buf[i + 2] - lo < span) | (buf[i + 3] - lo < span)) == 0)
			continue;
		for (size_t k = i; k < i + 4; k++)
			if (buf[k] - lo < span && in_targets(b, buf[k]))
				add_hit(b->r, b->cap, at + k * 8, buf[k]);
	}
	for (; i < words; i++)
		if (buf[i] - lo < span && in_targets(b, buf[i]))
			add_hit(b->r, b->cap, at + i * 8, buf[i]);
}

static void
batch_flush(struct batch *b)
{
	size_t first = 0;
	while (first < b->n) {
		size_t want = 0;
		for (size_t k = first; k < b->n; k++)
			want += b->remote[k].iov_len;
		struct iovec local = { b->buf, want };
		ssize_t got = process_vm_readv(b->tid, &local, 1, b->remote + first,
					       (unsigned long)(b->n - first), 0);
		b->calls++;
		if (got <= 0) {
			/* The first piece is unreadable from its start (unmapped
			   since the snapshot): drop it, read the rest. */
			first++;
			continue;
		}
		b->r->bytes += (uint64_t)got;
		/* The kernel stops at the first page it cannot read: scan what
		   came, then go on past that page. */
		size_t off = 0, k = first;
		bool hole = false;
		while (k < b->n && off < (size_t)got && !hole) {
			struct iovec *piece = &b->remote[k];
			size_t have = (size_t)got - off;
			if (have > piece->iov_len)
				have = piece->iov_len;
			scan_words(b, b->buf + off / 8, have / 8, (uint64_t)piece->iov_base);
			off += have;
			if (have == piece->iov_len) {
				k++;
				continue;
			}
			/* A hole inside the piece (a race with munmap or
			   mprotect): the rest of it after the hole's page. */
			hole = true;
			size_t skip = have + b->page;
			if (skip >= piece->iov_len) {
				k++;
			} else {
				piece->iov_base = (char *)piece->iov_base + skip;
				piece->iov_len -= skip;
			}
		}
		/* Stopped at a piece's first byte: that piece is dropped. */
		if (!hole && k < b->n)
			k++;
		first = k;
	}
	b->n = 0;
	b->bytes = 0;
}

static void
scan_range(struct batch *b, uint64_t start, uint64_t end)
{
	if (b->collect) {
		struct span_list *l = b->collect;
		l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
		l->v[l->n++] = (struct span){ start, end };
		l->bytes += end - start;
		return;
	}
	for (uint64_t a = start; a < end;) {
		size_t room = SCAN_CHUNK - b->bytes;
		size_t len = end - a < room ? (size_t)(end - a) : room;
		b->remote[b->n++] = (struct iovec){ (void *)a, len };
		b->bytes += len;
		a += len;
		if (b->n == SCAN_IOV || b->bytes == SCAN_CHUNK)
			batch_flush(b);
	}
}

/* [start, end) less its pages never written (see PAGEMAP_MIN_PAGES).  A
   part of the pagemap that cannot be read is read as if all used. */
static void
scan_used(struct batch *b, uint64_t start, uint64_t end)
{
	uint64_t first = start & ~(uint64_t)(b->page - 1);
	if (b->pagemap < 0 || (end - first) / b->page < PAGEMAP_MIN_PAGES) {
		scan_range(b, start, end);
		return;
	}
	uint64_t run = start;	/* where the current run of used pages began */
	bool in_run = false;
	for (uint64_t a = first; a < end;) {
		size_t n = (size_t)((end - a + b->page - 1) / b->page);
		if (n > PAGEMAP_BATCH)
			n = PAGEMAP_BATCH;
		ssize_t got = pread(b->pagemap, b->entries, n * 8, (off_t)(a / b->page * 8));
		size_t known = got > 0 ? (size_t)got / 8 : 0;
		for (size_t i = 0; i < n; i++, a += b->page) {
			bool used = i >= known || (b->entries[i] & (PM_PRESENT | PM_SWAPPED));
			uint64_t from = a > start ? a : start;
			uint64_t to = end - a > b->page ? a + b->page : end;
			if (used && !in_run) {
				run = from;
				in_run = true;
			} else if (!used && in_run) {
				scan_range(b, run, from);
				in_run = false;
			}
			if (!used)
				b->r->skipped += to - from;
		}
	}
	if (in_run)
		scan_range(b, run, end);
}

/* A batch that reads through tid into r, for words in lo/span/targets. */
static struct batch *
batch_new(pid_t tid, uint64_t lo, uint64_t span, const struct scan_target *targets,
	  size_t ntargets, struct scan_result *r, size_t *cap)
{
	struct batch *b = xcalloc(1, sizeof(*b));
	b->tid = tid;
	b->lo = lo;
	b->span = span;
	b->targets = targets;
	b->ntargets = ntargets;
	b->buf = xmalloc(SCAN_CHUNK);
	b->page = (size_t)sysconf(_SC_PAGESIZE);
	b->r = r;
	b->cap = cap;
	b->pagemap = -1;
	return b;
}

static void
batch_free(struct batch *b)
{
	stats.scan_calls += b->calls;
	free(b->entries);
	free(b->buf);
	free(b);
}

struct share {
	struct batch *b;
	const struct span *v;
	size_t n;
};

static void *
read_spans(void *arg)
{
	struct share *s = arg;
	for (size_t i = 0; i < s->n; i++)
		scan_range(s->b, s->v[i].start, s->v[i].end);
	batch_flush(s->b);
	return NULL;
}

/* The spans of l read and scanned, the second half of their bytes in a
   thread of its own when there are enough of them: b's result gets the
   hits of both, in address order. */
static void
read_all(struct batch *b, struct span_list *l)
{
	struct share first = { b, l->v, l->n };
	if (l->bytes < SCAN_SPLIT_BYTES || !cpus_more_than_one()) {
		read_spans(&first);
		return;
	}
	/* Where half of the bytes are: that span is cut in two. */
	uint64_t half = l->bytes / 2, sum = 0;
	size_t k = 0;
	while (k < l->n && sum + (l->v[k].end - l->v[k].start) <= half) {
		sum += l->v[k].end - l->v[k].start;
		k++;
	}
	struct span *v = xmalloc((l->n - k + 1) * sizeof(*v));
	size_t n2 = 0;
	if (k < l->n) {
		uint64_t cut = (l->v[k].start + (half - sum)) & ~7ULL;
		if (cut > l->v[k].start) {
			v[n2++] = (struct span){ cut, l->v[k].end };
			l->v[k].end = cut;
			k++;
		}
	}
	for (size_t i = k; i < l->n; i++)
		v[n2++] = l->v[i];
	first.n = k;
	struct scan_result r2 = { 0 };
	size_t cap2 = 0;
	struct batch *b2 = batch_new(b->tid, b->lo, b->span, b->targets, b->ntargets, &r2, &cap2);
	struct share second = { b2, v, n2 };
	/* The helper takes no signal: the tool's handlers stay the main
	   thread's. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_t t;
	bool shared = pthread_create(&t, NULL, read_spans, &second) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	read_spans(&first);
	if (shared) {
		pthread_join(t, NULL);
		stats.scans_shared++;
	} else {
		read_spans(&second);
	}
	/* The second half's hits after the first's, under the same cap. */
	struct scan_result *r = b->r;
	for (size_t i = 0; i < r2.n; i++)
		add_hit(r, b->cap, r2.hits[i].where, r2.hits[i].value);
	r->dropped += r2.dropped;
	r->bytes += r2.bytes;	/* (pages skipped were counted in b's, when collecting) */
	free(r2.hits);
	batch_free(b2);
	free(v);
}

static void
scan_run(pid_t tid, int pagemap, const struct maps_snapshot *maps, uint64_t lo, uint64_t hi,
	 const struct scan_target *targets, size_t ntargets, uint64_t skip_lo, uint64_t skip_hi,
	 uint64_t live_sp, struct scan_result *out)
{
	memset(out, 0, sizeof(*out));
	if (hi <= lo)
		return;
	double t0 = clock_now();
	size_t cap = 0;
	struct batch *b = batch_new(tid, lo, hi - lo, targets, ntargets, out, &cap);
	/* First what is to be read (the pagemap says), then the reads. */
	struct span_list todo = { 0 };
	b->collect = &todo;
	b->pagemap = pagemap;
	b->entries = b->pagemap >= 0 ? xmalloc(PAGEMAP_BATCH * sizeof(*b->entries)) : NULL;
	for (size_t i = 0; i < maps->n; i++) {
		const struct map_entry *m = &maps->v[i];
		if (!scannable(m))
			continue;
		uint64_t start = m->start, end = m->end;
		if (live_sp >= start && live_sp < end)
			start = live_sp & ~7ULL;
		/* The library's own mappings (still there when it is pinned). */
		if (start < skip_hi && end > skip_lo) {
			if (start >= skip_lo && end <= skip_hi)
				continue;
			if (start < skip_lo)
				scan_used(b, start, skip_lo);
			if (end > skip_hi)
				scan_used(b, skip_hi, end);
			continue;
		}
		scan_used(b, start, end);
	}
	b->collect = NULL;
	read_all(b, &todo);
	free(todo.v);
	batch_free(b);
	out->seconds = clock_now() - t0;
	stats.scans++;
	stats.scan_bytes += out->bytes;
	stats.scan_skipped += out->skipped;
	stats.scan_seconds += out->seconds;
}

void
scan_process(pid_t tid, int pagemap, const struct maps_snapshot *maps, uint64_t lo,
	     uint64_t hi, uint64_t skip_lo, uint64_t skip_hi, uint64_t live_sp,
	     struct scan_result *out)
{
	scan_run(tid, pagemap, maps, lo, hi, NULL, 0, skip_lo, skip_hi, live_sp, out);
}

void
scan_process_ranges(pid_t tid, int pagemap, const struct maps_snapshot *maps,
		    const struct scan_target *t, size_t n, uint64_t live_sp,
		    struct scan_result *out)
{
	if (!n) {
		memset(out, 0, sizeof(*out));
		return;
	}
	scan_run(tid, pagemap, maps, t[0].lo, t[n - 1].hi, t, n, 0, 0, live_sp, out);
}

void
scan_result_free(struct scan_result *r)
{
	free(r->hits);
	memset(r, 0, sizeof(*r));
}
