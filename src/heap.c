#include "config.h"
#include "heap.h"
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

/* A sliding window over the heap: the walk reads forward only. */
struct window {
	pid_t pid;
	uint64_t base;
	size_t len;
	uint8_t *buf;
};

#define WINDOW_SIZE (1u << 20)

static bool
window_word(struct window *w, uint64_t addr, uint64_t *val)
{
	if (addr < w->base || addr + 8 > w->base + w->len) {
		w->base = addr & ~4095ULL;
		w->len = mem_read_partial(w->pid, w->base, w->buf, WINDOW_SIZE);
		if (addr + 8 > w->base + w->len)
			return false;
	}
	memcpy(val, w->buf + (addr - w->base), 8);
	return true;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* User addresses of the chunks in the main thread's tcache lists. */
static size_t
tcache_chunks(pid_t pid, uint64_t heap, uint64_t **out)
{
	uint64_t size;
	*out = NULL;
	if (!mem_read_u64(pid, heap + 8, &size) || (size & SIZE_MASK) != TCACHE_CHUNK)
		return 0;
	uint16_t counts[TCACHE_BINS];
	uint64_t heads[TCACHE_BINS];
	if (!mem_read(pid, heap + CHUNK_HDR, counts, sizeof(counts)) ||
	    !mem_read(pid, heap + CHUNK_HDR + sizeof(counts), heads, sizeof(heads)))
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
			if (!mem_read_u64(pid, e, &stored))
				break;
			e = (e >> 12) ^ stored;
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_u64);
	*out = v;
	return n;
}

void
heap_classify(pid_t pid, uint64_t start, uint64_t end, const uint64_t *addrs, size_t n,
	      struct chunk_info *out)
{
	memset(out, 0, n * sizeof(*out));
	if (!n)
		return;
	uint64_t *tc;
	size_t ntc = tcache_chunks(pid, start, &tc);
	struct window w = { pid, 0, 0, xmalloc(WINDOW_SIZE) };
	size_t k = 0;
	uint64_t c = start;
	while (k < n && c + CHUNK_HDR <= end) {
		uint64_t size;
		if (!window_word(&w, c + 8, &size))
			break;
		size &= SIZE_MASK;
		if (size < MIN_CHUNK || c + size > end)
			break;	/* not a chunk header: give up, leave UNKNOWN */
		uint64_t next = c + size, next_size = 0;
		/* The top chunk has no successor: it is free. */
		bool in_use = next + 8 <= end && window_word(&w, next + 8, &next_size) &&
			      (next_size & PREV_INUSE);
		uint64_t user = c + CHUNK_HDR;
		if (in_use && ntc && bsearch(&user, tc, ntc, sizeof(*tc), cmp_u64))
			in_use = false;
		while (k < n && addrs[k] < next) {
			if (addrs[k] >= c) {
				out[k].state = in_use ? CHUNK_ALLOCATED : CHUNK_FREE;
				out[k].user = user;
				out[k].size = size - 8;
			}
			k++;
		}
		c = next;
	}
	free(w.buf);
	free(tc);
}
