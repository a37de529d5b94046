/* Fuzz harness for the walk over glibc's heap chunks (src/heap.c).

   The input is a heap as the tool would read it from a tracee: its first 8
   bytes (little-endian) choose where it starts (aligned to 16, anywhere in
   the 64-bit space, so that sizes read from it can reach past 2^64), the
   rest is the heap's content.  Memory outside the heap reads as the heap
   repeated, as a real process has other mappings around its heap: a walk
   that wraps or leaves the heap keeps finding headers, and only its own
   bounds stop it.  Every word of the heap is asked about.

   What heap.h promises is checked: the walk reads only inside the heap,
   a word classified as in a chunk lies in
   that chunk, the chunk lies inside the heap, chunks found for ascending
   words do not go backwards, and a word before the first chunk header that
   could not be read stays unknown.

   heap.c is included, not linked from libaudit.a, so that it is built with
   this harness's instrumentation. */
#include "heap.c"
#include "fuzz.h"

#define MAX_ADDRS	8192

struct image {
	const uint8_t *data;
	size_t size;
	uint64_t base;
	uint64_t end;
};

static size_t
read_image(void *arg, uint64_t addr, void *buf, size_t len)
{
	const struct image *im = arg;
	uint8_t *out = buf;

	if (!im->size)
		return 0;
	/* The walk's window is only ever moved to a header inside the heap
	   (the tcache lists, read in small pieces, may point anywhere). */
	if (len == WINDOW_SIZE)
		FUZZ_CHECK(addr >= (im->base & ~4095ULL) && addr < im->end);
	/* Wrapping arithmetic on purpose: the heap repeats all around. */
	uint64_t off = (addr - im->base) % im->size;
	for (size_t done = 0; done < len; ) {
		size_t n = im->size - off < len - done ? im->size - off : len - done;
		memcpy(out + done, im->data + off, n);
		done += n;
		off = 0;
	}
	return len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8)
		return 0;
	struct image im = { data + 8, size - 8, fuzz_le64(data, size, 0) & ~15ULL, 0 };
	uint64_t start = im.base;
	/* The heap may not wrap the address space itself. */
	if (im.size > UINT64_MAX - start)
		start = UINT64_MAX - im.size;
	start &= ~15ULL;
	im.base = start;
	uint64_t end = start + im.size;
	im.end = end;

	size_t n = im.size / 8 < MAX_ADDRS ? im.size / 8 : MAX_ADDRS;
	uint64_t *addrs = malloc((n ? n : 1) * sizeof(*addrs));
	struct chunk_info *info = malloc((n ? n : 1) * sizeof(*info));
	FUZZ_CHECK(addrs && info);
	for (size_t i = 0; i < n; i++)
		addrs[i] = start + i * 8;

	struct heap_reader r = { read_image, &im };
	heap_walk(&r, start, end, addrs, n, info);

	uint64_t last_user = 0;
	for (size_t i = 0; i < n; i++) {
		const struct chunk_info *c = &info[i];
		if (c->state == CHUNK_UNKNOWN) {
			FUZZ_CHECK(c->user == 0 && c->size == 0);
			continue;
		}
		FUZZ_CHECK(c->state == CHUNK_ALLOCATED || c->state == CHUNK_FREE);
		uint64_t chunk = c->user - CHUNK_HDR, csize = c->size + 8;
		FUZZ_CHECK(c->user >= CHUNK_HDR && chunk >= start && chunk < end);
		FUZZ_CHECK(csize >= MIN_CHUNK && csize <= end - chunk);
		/* Inside the block's usable bytes, which end 8 bytes into the
		   next chunk (its prev_size field): never before its start. */
		FUZZ_CHECK(addrs[i] >= c->user && addrs[i] - c->user < c->size);
		FUZZ_CHECK(c->user >= last_user);
		last_user = c->user;
	}
	/* No words at all, and an empty heap: nothing to do, nothing read. */
	heap_walk(&r, start, start, addrs, n, info);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(info[i].state == CHUNK_UNKNOWN);
	heap_walk(&r, start, end, addrs, 0, info);
	free(addrs);
	free(info);
	return 0;
}
