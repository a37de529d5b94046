/* Unit tests for src/allocator.c: the allocator's name from its file, and
   the glibc release read from a libc file (this machine's, and files made
   here with the text cut, split across reads, or missing); and for
   src/heap.c: which block of a heap made here a word is in. */
#include "config.h"
#include "allocator.h"
#include "glibc.h"
#include "heap.h"

#include <fcntl.h>
#include <gnu/libc-version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cunit_main.h"

static void
test_name(void)
{
	CU_ASSERT_STRING_EQUAL(allocator_name("/lib/x86_64-linux-gnu/libc.so.6"), "glibc");
	CU_ASSERT_STRING_EQUAL(allocator_name("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"),
			       "jemalloc");
	CU_ASSERT_STRING_EQUAL(allocator_name("/usr/lib/libtcmalloc_minimal.so.4"), "tcmalloc");
	CU_ASSERT_STRING_EQUAL(allocator_name("libmimalloc.so.2"), "mimalloc");
	CU_ASSERT_STRING_EQUAL(allocator_name("/opt/app/libmyalloc.so"), "libmyalloc.so");
}

/* The libc this test runs with says the same as glibc itself. */
static void
test_version_this_libc(void)
{
	static const char *paths[] = { "/lib/x86_64-linux-gnu/libc.so.6", "/lib64/libc.so.6" };
	unsigned int major, minor, want_major, want_minor;
	int fd = -1;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]) && fd < 0; i++)
		fd = open(paths[i], O_RDONLY | O_CLOEXEC);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(sscanf(gnu_get_libc_version(), "%u.%u", &want_major,
				     &want_minor), 2);
	CU_ASSERT_TRUE(glibc_version_of_file(fd, &major, &minor));
	CU_ASSERT_EQUAL(major, want_major);
	CU_ASSERT_EQUAL(minor, want_minor);
	close(fd);
}

/* A file of size bytes of filler with text at offset at. */
static int
file_with(size_t size, size_t at, const char *text)
{
	char name[] = "/tmp/ta-test-allocator.XXXXXX";
	int fd = mkstemp(name);
	if (fd < 0)
		return -1;
	unlink(name);
	char *buf = malloc(size);
	if (!buf) {
		close(fd);
		return -1;
	}
	memset(buf, 'r', size);
	if (text)
		memcpy(buf + at, text, strlen(text));
	if (write(fd, buf, size) != (ssize_t)size) {
		free(buf);
		close(fd);
		return -1;
	}
	free(buf);
	return fd;
}

static void
check_file(size_t size, size_t at, const char *text, bool found, unsigned int major,
	   unsigned int minor)
{
	unsigned int ma = 99, mi = 99;
	int fd = file_with(size, at, text);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(glibc_version_of_file(fd, &ma, &mi), found);
	if (found) {
		CU_ASSERT_EQUAL(ma, major);
		CU_ASSERT_EQUAL(mi, minor);
	} else {
		CU_ASSERT_EQUAL(ma, 0);
		CU_ASSERT_EQUAL(mi, 0);
	}
	close(fd);
}

static void
test_version_files(void)
{
	static const char text[] = "stable release version 2.41.";
	/* Across the first 64 KiB read, at every cut. */
	for (size_t cut = 0; cut <= sizeof(text); cut++)
		check_file(200000, 65536 - cut, text, true, 2, 41);
	check_file(4096, 100, "release version 3.7", true, 3, 7);
	/* At the very end, and cut by the end of the file. */
	check_file(1000, 1000 - strlen("release version 2.36"), "release version 2.36", true, 2, 36);
	check_file(1000, 1000 - strlen("release version 2."), "release version 2.", false, 0, 0);
	check_file(1000, 10, "release version x.36", false, 0, 0);
	check_file(1000, 10, "release version 2x36", false, 0, 0);
	check_file(1000, 0, NULL, false, 0, 0);
	check_file(1, 0, NULL, false, 0, 0);
	unsigned int ma, mi;
	CU_ASSERT_FALSE(glibc_version_of_file(-1, &ma, &mi));
}

/* A heap laid out in a buffer as if at address at: the reader's arg. */
struct fake_mem {
	uint64_t at;
	const void *buf;
	size_t size;
	unsigned int reads;	/* calls made */
	uint64_t read_end;	/* the highest address read, plus one */
};

static size_t
fake_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	struct fake_mem *m = arg;
	m->reads++;
	if (addr < m->at || addr - m->at >= m->size)
		return 0;
	size_t have = m->size - (addr - m->at);
	if (len > have)
		len = have;
	memcpy(buf, (const char *)m->buf + (addr - m->at), len);
	if (addr + len > m->read_end)
		m->read_end = addr + len;
	return len;
}

/* A heap laid out in a buffer at address HEAP_AT, as glibc lays it. */
#define HEAP_AT 0x10000ULL
static uint64_t fake_heap[64];

/* Chunks of 32 bytes (24 usable) at 0x10000, 0x10020 (both in use), a
   free one of 64 at 0x10040, then the top chunk at 0x10080.  The word at
   0x10020 (the second chunk's prev_size field) is the first block's last
   usable word: user data at 0x10010, offset 0x10, never "-0x10 into the
   block at 0x10030". */
static void
test_heap_edges(void)
{
	memset(fake_heap, 0, sizeof(fake_heap));
	fake_heap[0x08 / 8] = 0x20 | 1;		/* chunk 0x10000: 32, PREV_INUSE */
	fake_heap[0x28 / 8] = 0x20 | 1;		/* chunk 0x10020: 32, the first in use */
	fake_heap[0x48 / 8] = 0x40 | 1;		/* chunk 0x10040: 64, the second in use */
	fake_heap[0x80 / 8] = 0x40;		/* prev_size of the top: the free one's size */
	fake_heap[0x88 / 8] = (sizeof(fake_heap) - 0x80);	/* top, PREV_INUSE clear */
	struct fake_mem mem = { HEAP_AT, fake_heap, sizeof(fake_heap), 0, 0 };
	struct heap_reader r = { fake_read, &mem };
	const uint64_t addrs[] = {
		0x10010,	/* first block, offset 0 */
		0x10020,	/* first block, offset 0x10: the next chunk's prev_size */
		0x10028,	/* the second chunk's size field: in no block */
		0x10040,	/* the second block's last word */
		0x10050,	/* the free block */
		0x10080,	/* the free block's last word (the top's prev_size) */
	};
	size_t n = sizeof(addrs) / sizeof(addrs[0]);
	struct chunk_info out[sizeof(addrs) / sizeof(addrs[0])];
	CU_ASSERT_TRUE(heap_walk(&r, HEAP_AT, HEAP_AT + sizeof(fake_heap), addrs, n, out));
	CU_ASSERT_EQUAL(out[0].state, CHUNK_ALLOCATED);
	CU_ASSERT_EQUAL(out[0].user, 0x10010);
	CU_ASSERT_EQUAL(out[0].size, 24);
	CU_ASSERT_EQUAL(out[1].state, CHUNK_ALLOCATED);
	CU_ASSERT_EQUAL(out[1].user, 0x10010);
	CU_ASSERT_EQUAL(out[1].size, 24);
	CU_ASSERT_EQUAL(out[2].state, CHUNK_UNKNOWN);
	CU_ASSERT_EQUAL(out[3].state, CHUNK_ALLOCATED);
	CU_ASSERT_EQUAL(out[3].user, 0x10030);
	CU_ASSERT_EQUAL(out[4].state, CHUNK_FREE);
	CU_ASSERT_EQUAL(out[4].user, 0x10050);
	CU_ASSERT_EQUAL(out[4].size, 56);
	CU_ASSERT_EQUAL(out[5].state, CHUNK_FREE);
	CU_ASSERT_EQUAL(out[5].user, 0x10050);
}

/* A heap whose first chunk is the main thread's tcache: two 32-byte
   chunks in its first list (safe-linked), one in use after them.  The
   tcache's blocks are free though their successors say in use; and the
   whole walk, tcache included, is one read of the first window. */
#define TC_AT 0x20000ULL
static uint64_t tc_heap[4096 / 8];

static void
test_heap_tcache(void)
{
	memset(tc_heap, 0, sizeof(tc_heap));
	const uint64_t x = TC_AT + 0x2a0, y = TC_AT + 0x2c0;	/* user addresses */
	tc_heap[0x08 / 8] = 0x290 | 1;			/* the tcache */
	uint16_t count = 2;
	memcpy((char *)tc_heap + 0x10, &count, sizeof(count));	/* counts[0] */
	tc_heap[(0x10 + 128) / 8] = x;			/* heads[0] */
	tc_heap[0x298 / 8] = 0x20 | 1;			/* x's chunk */
	tc_heap[0x2a0 / 8] = (x >> 12) ^ y;		/* x->next = y */
	tc_heap[0x2b8 / 8] = 0x20 | 1;			/* y's chunk */
	tc_heap[0x2c0 / 8] = (y >> 12) ^ 0;		/* y->next = NULL */
	tc_heap[0x2d8 / 8] = 0x20 | 1;			/* z's chunk, in use */
	tc_heap[0x2f8 / 8] = (sizeof(tc_heap) - 0x2f0) | 1;	/* the top */
	struct fake_mem mem = { TC_AT, tc_heap, sizeof(tc_heap), 0, 0 };
	struct heap_reader r = { fake_read, &mem };
	const uint64_t addrs[] = { x + 8, y + 8, TC_AT + 0x2e0 + 8 };
	struct chunk_info out[3];
	CU_ASSERT_TRUE(heap_walk(&r, TC_AT, TC_AT + sizeof(tc_heap), addrs, 3, out));
	CU_ASSERT_EQUAL(out[0].state, CHUNK_FREE);
	CU_ASSERT_EQUAL(out[0].user, x);
	CU_ASSERT_EQUAL(out[1].state, CHUNK_FREE);
	CU_ASSERT_EQUAL(out[1].user, y);
	CU_ASSERT_EQUAL(out[2].state, CHUNK_ALLOCATED);
	CU_ASSERT_EQUAL(out[2].user, TC_AT + 0x2e0);
	CU_ASSERT_EQUAL(mem.reads, 1);
}

/* A bigger heap at BIG_AT: BIG_CHUNKS chunks of 64 bytes, every third
   free, then the top chunk to the end of its 4 MiB. */
#define BIG_AT 0x1000000ULL
#define BIG_SIZE (4u << 20)
#define BIG_CHUNKS 30000
static uint64_t *big_heap;

/* Across the walk's windows (it reads more at a time as it goes) every
   block is classified right; and a walk whose words are all near the
   heap's start reads little beyond them, not the untouched top. */
static void
test_heap_windows(void)
{
	big_heap = calloc(1, BIG_SIZE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big_heap);
	for (size_t i = 0; i < BIG_CHUNKS; i++) {
		/* The chunk after i says whether i is in use. */
		bool prev_in_use = i == 0 || (i - 1) % 3 != 0;
		big_heap[(i * 64 + 8) / 8] = 64 | (prev_in_use ? 1 : 0);
	}
	uint64_t top = BIG_CHUNKS * 64;
	big_heap[(top + 8) / 8] = (BIG_SIZE - top) | ((BIG_CHUNKS - 1) % 3 != 0 ? 1 : 0);
	struct fake_mem mem = { BIG_AT, big_heap, BIG_SIZE, 0, 0 };
	struct heap_reader r = { fake_read, &mem };
	uint64_t addrs[BIG_CHUNKS / 1000];
	struct chunk_info out[BIG_CHUNKS / 1000];
	size_t n = 0;
	for (size_t i = 7; i < BIG_CHUNKS; i += 1000)
		addrs[n++] = BIG_AT + i * 64 + 16 + 8;
	CU_ASSERT_TRUE(heap_walk(&r, BIG_AT, BIG_AT + BIG_SIZE, addrs, n, out));
	for (size_t k = 0; k < n; k++) {
		size_t i = 7 + k * 1000;
		CU_ASSERT_EQUAL(out[k].state, i % 3 == 0 ? CHUNK_FREE : CHUNK_ALLOCATED);
		CU_ASSERT_EQUAL(out[k].user, BIG_AT + i * 64 + 16);
		CU_ASSERT_EQUAL(out[k].size, 56);
	}
	/* One word in the tenth chunk: the first window only. */
	const uint64_t one = BIG_AT + 10 * 64 + 16;
	struct chunk_info o;
	mem.read_end = 0;
	CU_ASSERT_TRUE(heap_walk(&r, BIG_AT, BIG_AT + BIG_SIZE, &one, 1, &o));
	CU_ASSERT_EQUAL(o.state, CHUNK_ALLOCATED);
	CU_ASSERT(mem.read_end <= BIG_AT + (64u << 10));
	free(big_heap);
}

int
main(void)
{
	CU_TestInfo tests[] = {
		{ "name from the file", test_name },
		{ "version: this libc", test_version_this_libc },
		{ "version: made-up files", test_version_files },
		{ "heap: words at the edges of blocks", test_heap_edges },
		{ "heap: a walk across windows, and one that stops early", test_heap_windows },
		{ "heap: the tcache's blocks, read with the first window", test_heap_tcache },
		CU_TEST_INFO_NULL,
	};

	return cunit_run("allocator", tests);
}
