#include "config.h"
#include "heap.h"
#include "error.h"
#include "mem.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* glibc 2.36, x86_64: a chunk is [prev_size][size|flags][user data...];
   bit 0 of the next chunk's size (PREV_INUSE) says this one is in use. */
#define CHUNK_HDR	16
#define MIN_CHUNK	32
#define PREV_INUSE	1ULL
#define SIZE_MASK	(~7ULL)
/* The main thread's tcache_perthread_struct is the heap's first chunk:
   uint16_t counts[64], then 64 list heads. */
#define TCACHE_BINS	64
#define TCACHE_CHUNK	0x290
#define TCACHE_MAX_PER_BIN 16
/* Sizes are read from a heap the program may have smashed: the walk stops
   after this many chunks (a 2 GiB heap of 32-byte chunks) rather than
   keep the dlclosing thread stopped for minutes. */
#define HEAP_MAX_CHUNKS	(64UL << 20)

/* A sliding window over the heap: the walk reads forward only.  It
   starts small and doubles: reading a page of the tracee that was never
   written maps the zero page there, and the scan then reads it as used
   (see scan.c), so a small heap's untouched end is not read. */
struct window {
	const struct heap_reader *r;
	uint64_t base, end;
	size_t len, size;
	uint8_t *buf;
};

#define WINDOW_FIRST (16u << 10)
#define WINDOW_SIZE (1u << 20)

static bool
window_word(struct window *w, uint64_t addr, uint64_t *val)
{
	if (addr < w->base || addr - w->base > w->len || w->len - (addr - w->base) < 8) {
		w->base = addr & ~4095ULL;
		size_t want = w->size;
		if (w->end > w->base && w->end - w->base < want)
			want = (size_t)(w->end - w->base);
		w->len = w->r->read(w->r->arg, w->base, w->buf, want);
		if (w->size < WINDOW_SIZE)
			w->size *= 2;
		if (w->len < 8 || addr - w->base > w->len - 8)
			return false;
	}
	memcpy(val, w->buf + (addr - w->base), 8);
	return true;
}

static bool
reader_get(const struct heap_reader *r, uint64_t addr, void *buf, size_t len)
{
	return r->read(r->arg, addr, buf, len) == len;
}

/* len bytes at addr: from the window when it holds them, else read alone,
   the window left where the walk wants it. */
static bool
window_peek(const struct window *w, uint64_t addr, void *buf, size_t len)
{
	if (w->len && addr >= w->base && addr - w->base <= w->len &&
	    w->len - (addr - w->base) >= len) {
		memcpy(buf, w->buf + (addr - w->base), len);
		return true;
	}
	return reader_get(w->r, addr, buf, len);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* User addresses of the chunks in the main thread's tcache lists, read
   through the walk's first window (the tcache is the heap's first chunk,
   and its small blocks are often near). */
static size_t
tcache_chunks(struct window *w, uint64_t heap, uint64_t **out)
{
	uint64_t size;
	*out = NULL;
	if (!window_word(w, heap + 8, &size) || (size & SIZE_MASK) != TCACHE_CHUNK)
		return 0;
	uint16_t counts[TCACHE_BINS];
	uint64_t heads[TCACHE_BINS];
	if (!window_peek(w, heap + CHUNK_HDR, counts, sizeof(counts)) ||
	    !window_peek(w, heap + CHUNK_HDR + sizeof(counts), heads, sizeof(heads)))
		return 0;
	size_t n = 0, cap = 0;
	uint64_t *v = NULL;
	for (int b = 0; b < TCACHE_BINS; b++) {
		uint64_t e = heads[b];
		for (unsigned int k = 0; e && k < counts[b] && k < TCACHE_MAX_PER_BIN; k++) {
			if (e & 15)
				break;
			v = xgrow(v, &cap, n + 1, sizeof(*v));
			v[n++] = e;
			/* Safe-linking: next is stored as (&next >> 12) ^ next. */
			uint64_t stored;
			if (!window_peek(w, e, &stored, 8))
				break;
			e = (e >> 12) ^ stored;
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_u64);
	*out = v;
	return n;
}

bool
heap_walk(const struct heap_reader *r, uint64_t start, uint64_t end, const uint64_t *addrs,
	  size_t n, struct chunk_info *out)
{
	if (n)
		memset(out, 0, n * sizeof(*out));
	if (!n || end <= start)
		return true;
	struct window w = { r, 0, end, 0, WINDOW_FIRST, xmalloc(WINDOW_SIZE) };
	uint64_t *tc;
	size_t ntc = tcache_chunks(&w, start, &tc);
	size_t k = 0;
	unsigned long chunks = 0;
	bool whole = true;
	uint64_t c = start;
	/* The chunk before c: a chunk's usable size runs 8 bytes past its
	   successor's header, over the successor's prev_size field, which
	   glibc uses only while this chunk is free.  A word at c (the first
	   8 bytes of the header) is the last word of the chunk before. */
	struct chunk_info prev = { CHUNK_UNKNOWN, 0, 0 };
	/* Every test is written as a distance from c, never as c + size:
	   a size near 2^64 read from a smashed header must not wrap. */
	/* The size word of the chunk at c, when the step before read it. */
	bool have_size = false;
	uint64_t size_at_c = 0;
	while (k < n && end - c >= CHUNK_HDR) {
		uint64_t size = size_at_c;
		if (++chunks > HEAP_MAX_CHUNKS || (!have_size && !window_word(&w, c + 8, &size))) {
			whole = false;
			break;
		}
		size &= SIZE_MASK;
		if (size < MIN_CHUNK || size > end - c) {
			whole = false;
			break;	/* not a chunk header: give up, leave UNKNOWN */
		}
		uint64_t next = c + size, next_size = 0;
		/* The top chunk has no successor: it is free. */
		have_size = end - next >= 16 && window_word(&w, next + 8, &next_size);
		size_at_c = next_size;
		bool in_use = have_size && (next_size & PREV_INUSE);
		uint64_t user = c + CHUNK_HDR;
		if (in_use && ntc && bsearch(&user, tc, ntc, sizeof(*tc), cmp_u64))
			in_use = false;
		struct chunk_info here = { in_use ? CHUNK_ALLOCATED : CHUNK_FREE, user, size - 8 };
		while (k < n && addrs[k] < next) {
			if (addrs[k] >= c + 8 && addrs[k] < user)
				;	/* the size field: in no block */
			else if (addrs[k] >= user)
				out[k] = here;
			else if (addrs[k] >= c)
				out[k] = prev;
			k++;
		}
		prev = here;
		/* size >= MIN_CHUNK: every step goes forward. */
		c = next;
	}
	/* The top chunk's prev_size field, or the end of the heap. */
	while (k < n && addrs[k] >= c && end - c >= 8 && addrs[k] - c < 8)
		out[k++] = prev;
	free(w.buf);
	free(tc);
	return whole;
}

#define HEAP_MAX_SIZE	(64ULL << 20)
/* sizeof(heap_info) on x86-64: 32, and 48 since glibc 2.35 (pagesize). */
#define HEAP_INFO_OLD	32
#define HEAP_INFO_NEW	48
/* sizeof(struct malloc_state) on x86-64 since glibc 2.27. */
#define MALLOC_STATE_SIZE 2200

bool
heap_other_arena(pid_t tid, uint64_t start, uint64_t end, uint64_t *first,
		 uint64_t *chunks_end)
{
	uint64_t hi[4];
	*first = 0;
	if ((start & (HEAP_MAX_SIZE - 1)) || end <= start ||
	    !mem_read(tid, start, hi, sizeof(hi)))
		return false;
	uint64_t ar_ptr = hi[0], size = hi[2], mprotect_size = hi[3];
	if (!ar_ptr || size < HEAP_INFO_OLD || size > end - start || mprotect_size < size)
		return false;
	/* Only an arena's first heap, whose arena follows its heap_info, has
	   a layout that can be told; its first chunk must be a tcache. */
	if (ar_ptr != start + HEAP_INFO_OLD && ar_ptr != start + HEAP_INFO_NEW)
		return true;
	uint64_t c = (ar_ptr + MALLOC_STATE_SIZE + 15) & ~15ULL, csize;
	if (c + CHUNK_HDR <= start + size && mem_read(tid, c + 8, &csize, 8) &&
	    (csize & SIZE_MASK) == TCACHE_CHUNK) {
		*first = c;
		*chunks_end = start + size;
	}
	return true;
}

static size_t
read_tracee(void *arg, uint64_t addr, void *buf, size_t len)
{
	return mem_read_partial(*(pid_t *)arg, addr, buf, len);
}

void
heap_classify(pid_t tid, uint64_t start, uint64_t end, const uint64_t *addrs, size_t n,
	      struct chunk_info *out)
{
	struct heap_reader r = { read_tracee, &tid };
	if (!heap_walk(&r, start, end, addrs, n, out))
		debug_msg("thread %d: the heap %#llx-%#llx could not be walked to its end "
			  "(a chunk header that makes no sense, or unreadable); the rest is "
			  "taken as unknown", tid, (unsigned long long)start,
			  (unsigned long long)end);
}
