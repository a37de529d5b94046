/* Unit tests for maps.c: parsing hostile text, lookups, diffs, the history
   of gone mappings, and reading our own /proc/self/maps. */
#include "config.h"
#include "maps.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cunit_main.h"

static void
parse_str(const char *text, struct maps_snapshot *s)
{
	CU_ASSERT_EQUAL_FATAL(maps_parse(text, strlen(text), s), 0);
}

static bool
path_is(const struct map_entry *e, const char *path)
{
	if (!path)
		return e->path == NULL;
	return e->path && !strcmp(e->path, path);
}

static struct map_entry
mk_entry(uint64_t start, uint64_t end, const char *perms, const char *path)
{
	struct map_entry e;

	memset(&e, 0, sizeof(e));
	e.start = start;
	e.end = end;
	snprintf(e.perms, sizeof(e.perms), "%s", perms);
	e.path = (char *)path;	/* only ever deep-copied from */
	return e;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- parsing ---- */

static void
test_parse_normal(void)
{
	static const char text[] =
		"55d0c8a00000-55d0c8a02000 r--p 00000000 08:01 1311234                    /usr/bin/cat\n"
		"55d0c8a02000-55d0c8a07000 r-xp 00002000 08:01 1311234                    /usr/bin/cat\n"
		"55d0c9b3e000-55d0c9b5f000 rw-p 00000000 00:00 0                          [heap]\n"
		"7f3a1c000000-7f3a1c021000 rw-p 00000000 00:00 0 \n"
		"7f3a1d000000-7f3a1d001000 rw-s 00001000 fd:1a 42                         [anon:foo bar]\n"
		"7ffd4b1e5000-7ffd4b206000 rw-p 00000000 00:00 0                          [stack]\n"
		"7ffd4b3f1000-7ffd4b3f3000 r-xp 00000000 00:00 0                          [vdso]\n"
		"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n";
	struct maps_snapshot s;

	parse_str(text, &s);
	CU_ASSERT_EQUAL(s.skipped, 0);
	CU_ASSERT_EQUAL_FATAL(s.n, 8);

	CU_ASSERT_EQUAL(s.v[0].start, 0x55d0c8a00000ULL);
	CU_ASSERT_EQUAL(s.v[0].end, 0x55d0c8a02000ULL);
	CU_ASSERT_STRING_EQUAL(s.v[0].perms, "r--p");
	CU_ASSERT_EQUAL(s.v[0].offset, 0);
	CU_ASSERT_EQUAL(s.v[0].dev_major, 8);
	CU_ASSERT_EQUAL(s.v[0].dev_minor, 1);
	CU_ASSERT_EQUAL(s.v[0].inode, 1311234);
	CU_ASSERT(path_is(&s.v[0], "/usr/bin/cat"));
	CU_ASSERT_FALSE(s.v[0].deleted);

	CU_ASSERT_STRING_EQUAL(s.v[1].perms, "r-xp");
	CU_ASSERT_EQUAL(s.v[1].offset, 0x2000);

	CU_ASSERT(path_is(&s.v[2], "[heap]"));
	/* The kernel's blank after the inode of an anonymous mapping. */
	CU_ASSERT(path_is(&s.v[3], NULL));
	CU_ASSERT_EQUAL(s.v[3].inode, 0);

	CU_ASSERT_STRING_EQUAL(s.v[4].perms, "rw-s");
	CU_ASSERT_EQUAL(s.v[4].offset, 0x1000);
	CU_ASSERT_EQUAL(s.v[4].dev_major, 0xfd);
	CU_ASSERT_EQUAL(s.v[4].dev_minor, 0x1a);
	CU_ASSERT_EQUAL(s.v[4].inode, 42);
	CU_ASSERT(path_is(&s.v[4], "[anon:foo bar]"));

	CU_ASSERT(path_is(&s.v[5], "[stack]"));
	CU_ASSERT(path_is(&s.v[6], "[vdso]"));
	CU_ASSERT_EQUAL(s.v[7].start, 0xffffffffff600000ULL);
	CU_ASSERT(path_is(&s.v[7], "[vsyscall]"));
	maps_snapshot_free(&s);
	CU_ASSERT_PTR_NULL(s.v);
	CU_ASSERT_EQUAL(s.n, 0);
}

static void
test_parse_empty(void)
{
	struct maps_snapshot s;

	CU_ASSERT_EQUAL(maps_parse(NULL, 0, &s), 0);
	CU_ASSERT_EQUAL(s.n, 0);
	CU_ASSERT_EQUAL(s.skipped, 0);
	CU_ASSERT_PTR_NULL(s.v);
	maps_snapshot_free(&s);
	/* Freeing twice is harmless: free leaves an empty snapshot. */
	maps_snapshot_free(&s);
}

static void
test_parse_path_spaces(void)
{
	static const char text[] =
		"1000-2000 r-xp 00000000 08:01 10      /opt/my app/lib with  two  spaces.so\n"
		"2000-3000 r--p 00000000 08:01 11\t/tmp/tab\tinside\n"
		"3000-4000 r--p 00000000 08:01 12 /tmp/trailing blank \n";
	struct maps_snapshot s;

	parse_str(text, &s);
	CU_ASSERT_EQUAL(s.skipped, 0);
	CU_ASSERT_EQUAL_FATAL(s.n, 3);
	CU_ASSERT(path_is(&s.v[0], "/opt/my app/lib with  two  spaces.so"));
	CU_ASSERT(path_is(&s.v[1], "/tmp/tab\tinside"));
	/* A file name may end in a blank: nothing is trimmed. */
	CU_ASSERT(path_is(&s.v[2], "/tmp/trailing blank "));
	maps_snapshot_free(&s);
}

static void
test_parse_deleted(void)
{
	static const char text[] =
		"1000-2000 r-xp 00000000 08:01 10     /tmp/plugin.so (deleted)\n"
		"2000-3000 r-xp 00000000 08:01 11     /tmp/dir with space/p.so (deleted)\n"
		"3000-4000 rw-s 00000000 00:01 12     /memfd:jit code (deleted)\n"
		"4000-5000 r--p 00000000 08:01 13     /tmp/(deleted)\n"
		"5000-6000 r--p 00000000 08:01 14     /tmp/a (deleted)/b.so\n"
		"6000-7000 r--p 00000000 08:01 15     (deleted)\n";
	struct maps_snapshot s;

	parse_str(text, &s);
	CU_ASSERT_EQUAL(s.skipped, 0);
	CU_ASSERT_EQUAL_FATAL(s.n, 6);
	CU_ASSERT(path_is(&s.v[0], "/tmp/plugin.so"));
	CU_ASSERT_TRUE(s.v[0].deleted);
	CU_ASSERT(path_is(&s.v[1], "/tmp/dir with space/p.so"));
	CU_ASSERT_TRUE(s.v[1].deleted);
	CU_ASSERT(path_is(&s.v[2], "/memfd:jit code"));
	CU_ASSERT_TRUE(s.v[2].deleted);
	/* Only a " (deleted)" suffix counts. */
	CU_ASSERT(path_is(&s.v[3], "/tmp/(deleted)"));
	CU_ASSERT_FALSE(s.v[3].deleted);
	CU_ASSERT(path_is(&s.v[4], "/tmp/a (deleted)/b.so"));
	CU_ASSERT_FALSE(s.v[4].deleted);
	CU_ASSERT(path_is(&s.v[5], "(deleted)"));
	CU_ASSERT_FALSE(s.v[5].deleted);
	maps_snapshot_free(&s);
}

/* Each malformed line sits between good ones, which must all survive. */
static void
check_skips(const char *text, size_t len, size_t want_n, size_t want_skipped)
{
	struct maps_snapshot s;

	CU_ASSERT_EQUAL_FATAL(maps_parse(text, len, &s), 0);
	CU_ASSERT_EQUAL(s.n, want_n);
	CU_ASSERT_EQUAL(s.skipped, want_skipped);
	for (size_t i = 0; i < s.n; i++)
		CU_ASSERT(path_is(&s.v[i], "/ok"));
	maps_snapshot_free(&s);
}

static void
test_parse_bad_hex(void)
{
	static const char text[] =
		"1000-2000 r-xp 00000000 08:01 1 /ok\n"
		"30g0-4000 r-xp 00000000 08:01 1 /bad\n"	/* start */
		"5000-6z00 r-xp 00000000 08:01 1 /bad\n"	/* end */
		"7000-8000 r-xp 0000x000 08:01 1 /bad\n"	/* offset */
		"9000-a000 r-xp 00000000 0g:01 1 /bad\n"	/* major */
		"b000-c000 r-xp 00000000 08:0h 1 /bad\n"	/* minor */
		"d000-e000 r-xp 00000000 08:01 1a /bad\n"	/* inode is decimal */
		"0x10000-0x11000 r-xp 00000000 08:01 1 /bad\n"	/* no 0x prefix */
		"-12000-13000 r-xp 00000000 08:01 1 /bad\n"	/* no sign */
		"+14000-15000 r-xp 00000000 08:01 1 /bad\n"
		"f000-10000 r-xp 00000000 08:01 1 /ok\n";

	check_skips(text, strlen(text), 2, 9);
}

static void
test_parse_missing_fields(void)
{
	static const char text[] =
		"1000-2000 r-xp 00000000 08:01 1 /ok\n"
		"3000-4000\n"
		"3000-4000 r-xp\n"
		"3000-4000 r-xp 00000000\n"
		"3000-4000 r-xp 00000000 08:01\n"
		"3000-4000 r-xp 00000000 08\n"
		"3000-4000 r-xp 00000000 08: 1\n"
		"3000- r-xp 00000000 08:01 1\n"
		"3000 r-xp 00000000 08:01 1\n"
		"3000-4000 00000000 08:01 1 /bad\n"		/* no perms */
		"3000-4000 r-x 00000000 08:01 1 /bad\n"	/* short perms */
		"3000-4000 r-xpp 00000000 08:01 1 /bad\n"	/* long perms */
		"3000-4000 rwxq 00000000 08:01 1 /bad\n"	/* bad perms */
		"3000-4000 xwrp 00000000 08:01 1 /bad\n"
		"3000-4000r-xp 00000000 08:01 1 /bad\n"	/* no blank */
		"3000 - 4000 r-xp 00000000 08:01 1 /bad\n"
		"5000-6000 r-xp 00000000 08:01 1 /ok\n";

	check_skips(text, strlen(text), 2, 15);
}

static void
test_parse_start_not_below_end(void)
{
	static const char text[] =
		"1000-2000 r-xp 00000000 08:01 1 /ok\n"
		"4000-3000 r-xp 00000000 08:01 1 /bad\n"
		"5000-5000 r-xp 00000000 08:01 1 /bad\n"
		"6000-7000 r-xp 00000000 08:01 1 /ok\n";

	check_skips(text, strlen(text), 2, 2);
}

static void
test_parse_overflow(void)
{
	static const char text[] =
		"1000-2000 r-xp 00000000 08:01 1 /ok\n"
		/* 17 significant hex digits. */
		"10000000000000000-10000000000000001 r-xp 00000000 08:01 1 /bad\n"
		"3000-10000000000000000 r-xp 00000000 08:01 1 /bad\n"
		"3000-4000 r-xp 1ffffffffffffffff 08:01 1 /bad\n"
		"3000-4000 r-xp 00000000 100000000:01 1 /bad\n"	/* > UINT_MAX */
		"3000-4000 r-xp 00000000 08:100000000 1 /bad\n"
		"3000-4000 r-xp 00000000 08:01 18446744073709551616 /bad\n"
		"3000-4000 r-xp 00000000 08:01 99999999999999999999999 /bad\n"
		"5000-6000 r-xp 00000000 08:01 1 /ok\n";
	static const char fits[] =
		/* Leading zeros do not overflow, whatever their number. */
		"00000000000000001000-00000000000000002000 r-xp 000000000000000000ff ffffffff:0 18446744073709551615 /ok\n"
		"fffffffffffff000-ffffffffffffffff r--p ffffffffffffffff 00:00 0 /ok\n";
	struct maps_snapshot s;

	check_skips(text, strlen(text), 2, 7);

	parse_str(fits, &s);
	CU_ASSERT_EQUAL(s.skipped, 0);
	CU_ASSERT_EQUAL_FATAL(s.n, 2);
	CU_ASSERT_EQUAL(s.v[0].start, 0x1000);
	CU_ASSERT_EQUAL(s.v[0].end, 0x2000);
	CU_ASSERT_EQUAL(s.v[0].offset, 0xff);
	CU_ASSERT_EQUAL(s.v[0].dev_major, UINT_MAX);
	CU_ASSERT_EQUAL(s.v[0].inode, UINT64_MAX);
	CU_ASSERT_EQUAL(s.v[1].end, UINT64_MAX);
	CU_ASSERT_EQUAL(s.v[1].offset, UINT64_MAX);
	maps_snapshot_free(&s);
}

static void
test_parse_garbage_and_empty(void)
{
	static const char text[] =
		"\n"
		"1000-2000 r-xp 00000000 08:01 1 /ok\n"
		"\n"
		"   \n"
		"hello world\n"
		"-\n"
		":\n"
		"3000-4000 r-xp 00000000 08:01 1x /bad\n"	/* inode runs on */
		"\xff\xfe\x01\x02\n"
		/* The kernel never indents; nor does it write blank lines. */
		" 5000-6000 r-xp 00000000 08:01 1 /bad\n"
		"\n"
		"7000-8000 r-xp 00000000 08:01 1 /ok\n"
		"\n";

	check_skips(text, strlen(text), 2, 11);
}

static void
test_parse_embedded_nul(void)
{
	/* sizeof - 1: the array's own terminator is not part of the text. */
	static const char text[] =
		"1000-2000 r-xp 00000000 08:01 1 /ok\n"
		"3000-4000 r-xp 00000000 08:01 1 /lib/a\0b.so\n"
		"\0\n"
		"5000-6000 r-xp 00\0000000 08:01 1 /bad\n"
		"7000-8000 r-xp 00000000 08:01 1 /ok\n"
		"9000-a000 r-xp 00000000 08:01 1 /ok\0";

	/* The final line is unterminated and holds a NUL: skipped too. */
	check_skips(text, sizeof(text) - 1, 2, 4);
}

static void
test_parse_unterminated_last_line(void)
{
	struct maps_snapshot s;

	/* Complete-looking: accepted without its '\n'. */
	parse_str("1000-2000 r-xp 00000000 08:01 1234 /lib/libc.so.6", &s);
	CU_ASSERT_EQUAL(s.skipped, 0);
	CU_ASSERT_EQUAL_FATAL(s.n, 1);
	CU_ASSERT(path_is(&s.v[0], "/lib/libc.so.6"));
	maps_snapshot_free(&s);

	/* Anonymous, cut after the kernel's blank: nothing is missing. */
	parse_str("1000-2000 rw-p 00000000 00:00 0 ", &s);
	CU_ASSERT_EQUAL(s.skipped, 0);
	CU_ASSERT_EQUAL_FATAL(s.n, 1);
	CU_ASSERT(path_is(&s.v[0], NULL));
	maps_snapshot_free(&s);

	/* Cut inside the inode (1234 -> 12): the number may be wrong. */
	parse_str("1000-2000 r-xp 00000000 08:01 1234 /ok\n"
		  "3000-4000 r-xp 00000000 08:01 12", &s);
	CU_ASSERT_EQUAL(s.skipped, 1);
	CU_ASSERT_EQUAL_FATAL(s.n, 1);
	CU_ASSERT_EQUAL(s.v[0].start, 0x1000);
	maps_snapshot_free(&s);

	/* Cut in the first fields. */
	parse_str("1000-2000 r-xp 00000000 08:01 1234 /ok\n3000-40", &s);
	CU_ASSERT_EQUAL(s.skipped, 1);
	CU_ASSERT_EQUAL(s.n, 1);
	maps_snapshot_free(&s);

	/* The same line with its '\n' is whole, blank or not. */
	parse_str("1000-2000 r-xp 00000000 08:01 12\n", &s);
	CU_ASSERT_EQUAL(s.skipped, 0);
	CU_ASSERT_EQUAL_FATAL(s.n, 1);
	CU_ASSERT_EQUAL(s.v[0].inode, 12);
	maps_snapshot_free(&s);
}

static void
test_parse_unsorted(void)
{
	static const char text[] =
		"5000-6000 r--p 00000000 08:01 5 /e\n"
		"1000-2000 r--p 00000000 08:01 1 /a\n"
		"3000-4000 r--p 00000000 08:01 3 /c\n"
		"2000-3000 r--p 00000000 08:01 2 /b\n"
		"4000-5000 r--p 00000000 08:01 4 /d\n";
	struct maps_snapshot s;

	parse_str(text, &s);
	CU_ASSERT_EQUAL(s.skipped, 0);
	CU_ASSERT_EQUAL_FATAL(s.n, 5);
	for (size_t i = 0; i < 5; i++) {
		char want[3] = { '/', (char)('a' + i), '\0' };
		CU_ASSERT_EQUAL(s.v[i].start, 0x1000 * (i + 1));
		CU_ASSERT_EQUAL(s.v[i].inode, i + 1);
		CU_ASSERT(path_is(&s.v[i], want));
	}
	maps_snapshot_free(&s);
}

static void
test_parse_overlapping(void)
{
	static const char text[] =
		"1000-3000 r--p 00000000 08:01 1 /a\n"
		"2000-4000 r--p 00000000 08:01 2 /overlaps-a\n"
		"4000-5000 r--p 00000000 08:01 3 /b\n"
		"4000-5000 r--p 00000000 08:01 4 /same-start-as-b\n"
		"8000-9000 r--p 00000000 08:01 5 /d\n"
		"6000-8800 r--p 00000000 08:01 6 /c\n"	/* kept: sorts first */
		"5000-6000 r--p 00000000 08:01 7 /adjacent\n";
	struct maps_snapshot s;

	parse_str(text, &s);
	CU_ASSERT_EQUAL(s.skipped, 3);
	CU_ASSERT_EQUAL_FATAL(s.n, 4);
	CU_ASSERT(path_is(&s.v[0], "/a"));
	CU_ASSERT(path_is(&s.v[1], "/b"));	/* input order breaks the tie */
	CU_ASSERT(path_is(&s.v[2], "/adjacent"));
	CU_ASSERT(path_is(&s.v[3], "/c"));
	for (size_t i = 1; i < s.n; i++)
		CU_ASSERT(s.v[i].start >= s.v[i - 1].end);
	maps_snapshot_free(&s);
}

#define HUGE_LINES 100000

/* Kernel-like text of n lines, either in address order or reversed. */
static char *
huge_text(size_t n, bool reversed, size_t *len)
{
	size_t cap = n * 128, off = 0;
	char *buf = malloc(cap);

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	for (size_t k = 0; k < n; k++) {
		size_t i = reversed ? n - 1 - k : k;
		uint64_t start = 0x7f0000000000ULL + i * 0x2000;
		int w;

		if (i % 3 == 0)
			w = snprintf(buf + off, cap - off,
				     "%012llx-%012llx rw-p 00000000 00:00 0 \n",
				     (unsigned long long)start,
				     (unsigned long long)start + 0x1000);
		else
			w = snprintf(buf + off, cap - off,
				     "%012llx-%012llx r-xp %08zx fd:01 %zu"
				     "                   /usr/lib/plugin %zu.so%s\n",
				     (unsigned long long)start,
				     (unsigned long long)start + 0x1000,
				     i * 0x1000, i, i, i % 7 ? "" : " (deleted)");
		CU_ASSERT_FATAL(w > 0 && (size_t)w < cap - off);
		off += (size_t)w;
	}
	*len = off;
	return buf;
}

static void
check_huge(bool reversed)
{
	struct maps_snapshot s;
	size_t len;
	char *text = huge_text(HUGE_LINES, reversed, &len);
	double t0 = now();

	CU_ASSERT_EQUAL_FATAL(maps_parse(text, len, &s), 0);
	/* Milliseconds when linear (a second or so under valgrind); a
	   quadratic copy or sort of 100k entries takes minutes. */
	CU_ASSERT(now() - t0 < 10.0);
	free(text);
	CU_ASSERT_EQUAL(s.skipped, 0);
	CU_ASSERT_EQUAL_FATAL(s.n, HUGE_LINES);
	for (size_t i = 0; i < s.n; i++) {
		const struct map_entry *e = &s.v[i];
		char want[64];

		if (e->start != 0x7f0000000000ULL + i * 0x2000 ||
		    e->end != e->start + 0x1000) {
			CU_FAIL("huge: wrong range");
			break;
		}
		if (i % 3 == 0) {
			if (e->path || e->inode != 0) {
				CU_FAIL("huge: anonymous entry has a path");
				break;
			}
			continue;
		}
		snprintf(want, sizeof(want), "/usr/lib/plugin %zu.so", i);
		if (!path_is(e, want) || e->inode != i || e->offset != i * 0x1000 ||
		    e->deleted != (i % 7 == 0) || e->dev_major != 0xfd) {
			CU_FAIL("huge: wrong file entry");
			break;
		}
	}
	maps_snapshot_free(&s);
}

static void
test_parse_huge(void)
{
	check_huge(false);
}

static void
test_parse_huge_reversed(void)
{
	check_huge(true);
}

/* ---- lookups ---- */

static void
test_find(void)
{
	static const char text[] =
		"1000-2000 r--p 00000000 08:01 1 /a\n"
		"2000-3000 r-xp 00000000 08:01 1 /b\n"
		"5000-8000 rw-p 00000000 00:00 0 \n"
		"fffffffffffff000-ffffffffffffffff r--p 00000000 00:00 0 [top]\n";
	struct maps_snapshot s, empty;

	parse_str(text, &s);
	CU_ASSERT_EQUAL_FATAL(s.n, 4);
	CU_ASSERT_PTR_NULL(maps_snapshot_find(&s, 0));
	CU_ASSERT_PTR_NULL(maps_snapshot_find(&s, 0xfff));
	CU_ASSERT_PTR_EQUAL(maps_snapshot_find(&s, 0x1000), &s.v[0]);
	CU_ASSERT_PTR_EQUAL(maps_snapshot_find(&s, 0x1fff), &s.v[0]);
	/* End is exclusive: 0x2000 belongs to the next mapping. */
	CU_ASSERT_PTR_EQUAL(maps_snapshot_find(&s, 0x2000), &s.v[1]);
	CU_ASSERT_PTR_EQUAL(maps_snapshot_find(&s, 0x2fff), &s.v[1]);
	CU_ASSERT_PTR_NULL(maps_snapshot_find(&s, 0x3000));	/* gap */
	CU_ASSERT_PTR_NULL(maps_snapshot_find(&s, 0x4fff));
	CU_ASSERT_PTR_EQUAL(maps_snapshot_find(&s, 0x5000), &s.v[2]);
	CU_ASSERT_PTR_EQUAL(maps_snapshot_find(&s, 0x6abc), &s.v[2]);
	CU_ASSERT_PTR_EQUAL(maps_snapshot_find(&s, 0x7fff), &s.v[2]);
	CU_ASSERT_PTR_NULL(maps_snapshot_find(&s, 0x8000));
	CU_ASSERT_PTR_EQUAL(maps_snapshot_find(&s, 0xfffffffffffff000ULL), &s.v[3]);
	CU_ASSERT_PTR_EQUAL(maps_snapshot_find(&s, 0xfffffffffffffffeULL), &s.v[3]);
	CU_ASSERT_PTR_NULL(maps_snapshot_find(&s, UINT64_MAX));

	memset(&empty, 0, sizeof(empty));
	CU_ASSERT_PTR_NULL(maps_snapshot_find(&empty, 0x1000));
	maps_snapshot_free(&s);
}

static void
test_entry_copy(void)
{
	char path[] = "/tmp/x.so";
	struct map_entry src = mk_entry(0x1000, 0x2000, "r-xp", path), dst;

	src.inode = 7;
	src.deleted = true;
	map_entry_copy(&dst, &src);
	path[1] = 'X';		/* the copy must not share the string */
	CU_ASSERT(path_is(&dst, "/tmp/x.so"));
	CU_ASSERT_PTR_NOT_EQUAL(dst.path, src.path);
	CU_ASSERT_EQUAL(dst.start, 0x1000);
	CU_ASSERT_EQUAL(dst.inode, 7);
	CU_ASSERT_TRUE(dst.deleted);
	CU_ASSERT_STRING_EQUAL(dst.perms, "r-xp");
	map_entry_free(&dst);
	CU_ASSERT_PTR_NULL(dst.path);

	src.path = NULL;
	map_entry_copy(&dst, &src);
	CU_ASSERT_PTR_NULL(dst.path);
	map_entry_free(&dst);
}

/* ---- diffs ---- */

static void
test_diff(void)
{
	static const char old_text[] =
		"1000-2000 r--p 00000000 08:01 1 /same\n"
		"2000-3000 r-xp 00001000 08:01 1 /gone.so\n"
		"3000-4000 rw-p 00000000 08:01 1 /mprotected\n"
		"4000-5000 r-xp 00000000 08:01 9 /unlinked.so\n"
		"5000-7000 rw-p 00000000 00:00 0 \n"
		"9000-a000 r--p 00000000 08:01 5 /replaced\n";
	static const char new_text[] =
		"1000-2000 r--p 00000000 08:01 1 /same\n"
		"3000-4000 r--p 00000000 08:01 1 /mprotected\n"
		"4000-5000 r-xp 00000000 08:01 9 /unlinked.so (deleted)\n"
		"5000-6000 rw-p 00000000 00:00 0 \n"
		"6000-7000 rw-p 00000000 00:00 0 \n"
		"8000-9000 r-xp 00000000 08:01 3 /new.so\n"
		"9000-a000 r--p 00000000 08:01 6 /replaced\n";
	struct maps_snapshot a, b;
	struct maps_diff d;

	parse_str(old_text, &a);
	parse_str(new_text, &b);
	CU_ASSERT_EQUAL_FATAL(a.n, 6);
	CU_ASSERT_EQUAL_FATAL(b.n, 7);
	maps_diff_compute(&a, &b, &d);

	/* removed: gone.so, mprotected (r w), the split anon, replaced */
	CU_ASSERT_EQUAL_FATAL(d.n_removed, 4);
	CU_ASSERT_EQUAL(d.removed[0].start, 0x2000);
	CU_ASSERT(path_is(&d.removed[0], "/gone.so"));
	CU_ASSERT_EQUAL(d.removed[0].offset, 0x1000);
	CU_ASSERT_EQUAL(d.removed[1].start, 0x3000);
	CU_ASSERT_STRING_EQUAL(d.removed[1].perms, "rw-p");
	CU_ASSERT_EQUAL(d.removed[2].start, 0x5000);
	CU_ASSERT_EQUAL(d.removed[2].end, 0x7000);
	CU_ASSERT_EQUAL(d.removed[3].start, 0x9000);
	CU_ASSERT_EQUAL(d.removed[3].inode, 5);

	/* added: mprotected (r--), the two halves, new.so, replaced */
	CU_ASSERT_EQUAL_FATAL(d.n_added, 5);
	CU_ASSERT_EQUAL(d.added[0].start, 0x3000);
	CU_ASSERT_STRING_EQUAL(d.added[0].perms, "r--p");
	CU_ASSERT(path_is(&d.added[0], "/mprotected"));
	CU_ASSERT_EQUAL(d.added[1].start, 0x5000);
	CU_ASSERT_EQUAL(d.added[1].end, 0x6000);
	CU_ASSERT_EQUAL(d.added[2].start, 0x6000);
	CU_ASSERT(path_is(&d.added[3], "/new.so"));
	CU_ASSERT_EQUAL(d.added[4].inode, 6);

	/* Deep copies: the diff outlives the snapshots. */
	maps_snapshot_free(&a);
	maps_snapshot_free(&b);
	CU_ASSERT(path_is(&d.removed[0], "/gone.so"));
	CU_ASSERT(path_is(&d.added[3], "/new.so"));
	maps_diff_free(&d);
	CU_ASSERT_EQUAL(d.n_added, 0);
	CU_ASSERT_PTR_NULL(d.added);
}

static void
test_diff_deleted_flag_only(void)
{
	struct maps_snapshot a, b;
	struct maps_diff d;

	parse_str("1000-2000 r-xp 00000000 08:01 9 /p.so\n", &a);
	parse_str("1000-2000 r-xp 00000000 08:01 9 /p.so (deleted)\n", &b);
	CU_ASSERT_EQUAL_FATAL(b.n, 1);
	CU_ASSERT_TRUE(b.v[0].deleted);
	maps_diff_compute(&a, &b, &d);
	CU_ASSERT_EQUAL(d.n_added, 0);
	CU_ASSERT_EQUAL(d.n_removed, 0);
	maps_diff_free(&d);
	maps_snapshot_free(&b);

	/* A different device is a different file, even at the same inode. */
	parse_str("1000-2000 r-xp 00000000 08:02 9 /p.so\n", &b);
	maps_diff_compute(&a, &b, &d);
	CU_ASSERT_EQUAL(d.n_added, 1);
	CU_ASSERT_EQUAL(d.n_removed, 1);
	maps_diff_free(&d);
	maps_snapshot_free(&b);

	/* Anonymous before, named after. */
	parse_str("1000-2000 r-xp 00000000 08:01 9 \n", &b);
	maps_diff_compute(&a, &b, &d);
	CU_ASSERT_EQUAL(d.n_added, 1);
	CU_ASSERT_EQUAL(d.n_removed, 1);
	CU_ASSERT_PTR_NULL(d.added[0].path);
	maps_diff_free(&d);
	maps_snapshot_free(&b);
	maps_snapshot_free(&a);
}

static void
test_diff_empty_sides(void)
{
	struct maps_snapshot a, empty;
	struct maps_diff d;

	memset(&empty, 0, sizeof(empty));
	parse_str("1000-2000 r-xp 00000000 08:01 9 /p.so\n"
		  "3000-4000 r-xp 00000000 08:01 9 /q.so\n", &a);

	maps_diff_compute(&empty, &a, &d);
	CU_ASSERT_EQUAL(d.n_removed, 0);
	CU_ASSERT_EQUAL_FATAL(d.n_added, 2);
	CU_ASSERT(path_is(&d.added[1], "/q.so"));
	maps_diff_free(&d);

	maps_diff_compute(&a, &empty, &d);
	CU_ASSERT_EQUAL(d.n_added, 0);
	CU_ASSERT_EQUAL_FATAL(d.n_removed, 2);
	CU_ASSERT(path_is(&d.removed[0], "/p.so"));
	maps_diff_free(&d);

	maps_diff_compute(&a, &a, &d);
	CU_ASSERT_EQUAL(d.n_added, 0);
	CU_ASSERT_EQUAL(d.n_removed, 0);
	maps_diff_free(&d);
	maps_snapshot_free(&a);
}

/* ---- history ---- */

static void
test_history(void)
{
	struct maps_history h;
	const struct gone_mapping *g;
	char path[32];

	maps_history_init(&h);
	CU_ASSERT_PTR_NULL(maps_history_lookup(&h, 0x1000));

	/* The same plugin, loaded and unloaded at overlapping places. */
	for (unsigned int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/tmp/plugin-%u.so", i);
		struct map_entry e = mk_entry(0x10000 + i * 0x1000,
					      0x14000 + i * 0x1000, "r-xp", path);
		maps_history_add(&h, &e, 1.5 * i, 10 + i);
	}
	/* Deep copy: our buffer is reused. */
	strcpy(path, "/overwritten");
	CU_ASSERT_EQUAL_FATAL(h.n, 3);
	CU_ASSERT(path_is(&h.v[0].map, "/tmp/plugin-0.so"));

	/* 0x12000 is covered by all three: the last one wins. */
	g = maps_history_lookup(&h, 0x12000);
	CU_ASSERT_PTR_EQUAL_FATAL(g, &h.v[2]);
	CU_ASSERT_EQUAL(g->event_id, 12);
	CU_ASSERT_DOUBLE_EQUAL(g->gone_at, 3.0, 1e-9);
	CU_ASSERT(path_is(&g->map, "/tmp/plugin-2.so"));

	/* Covered by fewer: [0x10000,0x14000) [0x11000,0x15000) [0x12000,0x16000). */
	CU_ASSERT_PTR_EQUAL(maps_history_lookup(&h, 0x10000), &h.v[0]);
	CU_ASSERT_PTR_EQUAL(maps_history_lookup(&h, 0x10fff), &h.v[0]);
	CU_ASSERT_PTR_EQUAL(maps_history_lookup(&h, 0x11000), &h.v[1]);
	CU_ASSERT_PTR_EQUAL(maps_history_lookup(&h, 0x11fff), &h.v[1]);
	CU_ASSERT_PTR_EQUAL(maps_history_lookup(&h, 0x15fff), &h.v[2]);

	/* Misses. */
	CU_ASSERT_PTR_NULL(maps_history_lookup(&h, 0xffff));
	CU_ASSERT_PTR_NULL(maps_history_lookup(&h, 0x16000));
	CU_ASSERT_PTR_NULL(maps_history_lookup(&h, 0));

	maps_history_free(&h);
	CU_ASSERT_EQUAL(h.n, 0);
	CU_ASSERT_PTR_NULL(h.v);
}

static void
test_history_many(void)
{
	struct maps_history h;
	struct map_entry e = mk_entry(0x7f0000000000ULL, 0x7f0000004000ULL,
				      "r-xp", "/tmp/plugin.so");

	/* 2000 dlopen/dlclose cycles of one plugin, four mappings each. */
	maps_history_init(&h);
	for (unsigned int i = 0; i < 8000; i++) {
		e.start = 0x7f0000000000ULL + (i % 4) * 0x4000;
		e.end = e.start + 0x4000;
		maps_history_add(&h, &e, i, i + 1);
	}
	CU_ASSERT_EQUAL_FATAL(h.n, 8000);
	CU_ASSERT(h.cap >= h.n);
	CU_ASSERT_EQUAL(maps_history_lookup(&h, 0x7f0000000000ULL)->event_id, 7997);
	CU_ASSERT_EQUAL(maps_history_lookup(&h, 0x7f000000fff0ULL)->event_id, 8000);
	CU_ASSERT_PTR_NULL(maps_history_lookup(&h, 0x7f0000010000ULL));
	maps_history_free(&h);
}

/* ---- classification ---- */

static void
test_is_file(void)
{
	static const struct {
		const char *path;
		bool file;
	} cases[] = {
		{ "/usr/lib/libc.so.6", true },
		{ "/tmp/dir with space/p.so", true },
		{ "/memfd:jit", true },
		{ "/dev/shm/posix-shm", true },
		{ "/SYSVfoo.so", true },
		{ "/dev/zero", false },
		{ "/dev/dri/card0", false },
		{ "/SYSV0000002a", false },
		{ "/[aio]", false },
		{ "[heap]", false },
		{ "[stack]", false },
		{ "[vdso]", false },
		{ "[anon:foo]", false },
		{ "anon_inode:[perf_event]", false },
		{ "", false },
		{ NULL, false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct map_entry e = mk_entry(0x1000, 0x2000, "r-xp", cases[i].path);
		if (map_entry_is_file(&e) != cases[i].file) {
			fprintf(stderr, "is_file(%s) != %d\n",
				cases[i].path ? cases[i].path : "NULL", cases[i].file);
			CU_FAIL("map_entry_is_file");
		}
	}

	/* Deleted does not change the answer, and parsing feeds it right. */
	struct maps_snapshot s;
	parse_str("1000-2000 r-xp 00000000 08:01 9 /tmp/p.so (deleted)\n"
		  "2000-3000 rw-s 00000000 00:01 1 /dev/zero (deleted)\n"
		  "3000-4000 rw-s 00000000 00:01 2 /memfd:x (deleted)\n", &s);
	CU_ASSERT_EQUAL_FATAL(s.n, 3);
	CU_ASSERT_TRUE(map_entry_is_file(&s.v[0]));
	CU_ASSERT_FALSE(map_entry_is_file(&s.v[1]));
	CU_ASSERT_TRUE(map_entry_is_file(&s.v[2]));
	maps_snapshot_free(&s);
}

/* ---- reading a live process ---- */

static void
test_read_pid_self(void)
{
	struct maps_snapshot s;
	const struct map_entry *e;
	int local = 0;

	CU_ASSERT_EQUAL_FATAL(maps_read_pid(getpid(), &s), 0);
	CU_ASSERT(s.n > 3);
	CU_ASSERT_EQUAL(s.skipped, 0);
	for (size_t i = 1; i < s.n; i++)
		CU_ASSERT(s.v[i].start >= s.v[i - 1].end);

	e = maps_snapshot_find(&s, (uint64_t)(uintptr_t)&test_read_pid_self);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e->path);
	CU_ASSERT_PTR_NOT_NULL(strstr(e->path, "test_maps"));
	CU_ASSERT_EQUAL(e->perms[2], 'x');
	CU_ASSERT_TRUE(map_entry_is_file(e));
	CU_ASSERT_NOT_EQUAL(e->inode, 0);

	/* "[stack]" natively; valgrind gives its client an anonymous stack. */
	e = maps_snapshot_find(&s, (uint64_t)(uintptr_t)&local);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(strncmp(e->perms, "rw", 2), 0);
	CU_ASSERT_FALSE(map_entry_is_file(e));
	maps_snapshot_free(&s);
}

/* Thousands of mappings make the file far larger than one read(): every
   other page PROT_NONE splits one region into one VMA per page. */
#define SPLIT_PAGES 8000

static void
test_read_pid_large(void)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = (size_t)page * SPLIT_PAGES;
	char *region = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct maps_snapshot s;
	uint64_t base = (uint64_t)(uintptr_t)region;

	CU_ASSERT_NOT_EQUAL_FATAL(region, MAP_FAILED);
	for (size_t i = 1; i < SPLIT_PAGES; i += 2)
		CU_ASSERT_EQUAL_FATAL(mprotect(region + i * page, page, PROT_NONE), 0);

	CU_ASSERT_EQUAL_FATAL(maps_read_pid(getpid(), &s), 0);
	CU_ASSERT_EQUAL(s.skipped, 0);
	CU_ASSERT(s.n > SPLIT_PAGES);
	/* The first and last page may merge with a neighbour; the rest are
	   one entry each. */
	for (size_t k = 1; k < SPLIT_PAGES - 1; k++) {
		uint64_t addr = base + k * (uint64_t)page;
		const struct map_entry *e = maps_snapshot_find(&s, addr + 1);
		if (!e || e->start != addr || e->end != addr + (uint64_t)page ||
		    strcmp(e->perms, k % 2 ? "---p" : "r--p") || e->path) {
			CU_FAIL("split region: wrong entry");
			break;
		}
	}
	maps_snapshot_free(&s);
	munmap(region, len);
}

static void
test_read_pid_gone(void)
{
	struct maps_snapshot s;

	/* Above any pid_max (at most 2^22), so there is no such process. */
	s.n = 123;
	errno = 0;
	CU_ASSERT_EQUAL(maps_read_pid(INT_MAX, &s), -1);
	CU_ASSERT_EQUAL(errno, ENOENT);
	CU_ASSERT_EQUAL(s.n, 0);
	CU_ASSERT_PTR_NULL(s.v);
	CU_ASSERT_EQUAL(s.skipped, 0);
	maps_snapshot_free(&s);
}

/* A child whose main thread called pthread_exit while a worker goes on:
   its maps read empty through the pid, which must be a failure, and whole
   through the worker. */
static int leader_gone_pipe[2];

static void *
leader_gone_worker(void *arg)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);

	(void)arg;
	if (write(leader_gone_pipe[1], &tid, sizeof(tid)) != sizeof(tid))
		_exit(1);
	pause();
	return NULL;
}

static void
test_read_thread_leader_gone(void)
{
	struct maps_snapshot s;
	pid_t child, tid = 0;

	CU_ASSERT_EQUAL_FATAL(pipe(leader_gone_pipe), 0);
	child = fork();
	CU_ASSERT_NOT_EQUAL_FATAL(child, -1);
	if (child == 0) {
		pthread_t t;
		if (pthread_create(&t, NULL, leader_gone_worker, NULL) != 0)
			_exit(1);
		pthread_exit(NULL);
	}
	CU_ASSERT_EQUAL(read(leader_gone_pipe[0], &tid, sizeof(tid)), (ssize_t)sizeof(tid));
	/* The leader is a zombie once its status says so. */
	for (int i = 0; i < 500; i++) {
		char path[64], buf[256];
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)child);
		FILE *f = fopen(path, "re");
		if (!f)
			break;
		char *got = fgets(buf, sizeof(buf), f);
		fclose(f);
		char *end = got ? strrchr(buf, ')') : NULL;
		if (end && end[1] == ' ' && end[2] == 'Z')
			break;
		usleep(2000);
	}

	s.n = 123;
	errno = 0;
	CU_ASSERT_EQUAL(maps_read_pid(child, &s), -1);
	CU_ASSERT_EQUAL(errno, ESRCH);
	CU_ASSERT_EQUAL(s.n, 0);
	maps_snapshot_free(&s);

	CU_ASSERT_EQUAL(maps_read_thread(child, tid, &s), 0);
	CU_ASSERT(s.n > 3);
	maps_snapshot_free(&s);

	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(leader_gone_pipe[0]);
	close(leader_gone_pipe[1]);
}

/* The writable mappings the kernel lists take the place of the
   snapshot's: a private writable entry it no longer lists goes, a region
   made writable inside a file mapping cuts it (offsets kept right), new
   ones come in order; the rest stays. */
static void
test_merge_writable(void)
{
	struct maps_snapshot s, w;
	parse_str("1000-2000 r-xp 00000000 08:01 7 /lib/a.so\n"
		  "2000-3000 rw-p 00001000 08:01 7 /lib/a.so\n"
		  "3000-4000 rw-p 00000000 00:00 0\n"
		  "5000-9000 r--p 00000000 08:01 9 /data/f\n"
		  "a000-b000 ---p 00000000 00:00 0\n"
		  "b000-c000 rw-s 00000000 00:05 3 /dev/shm/x\n", &s);
	parse_str("2000-3000 rw-p 00001000 08:01 7 /lib/a.so\n"
		  "6000-7000 rw-p 00001000 08:01 9 /data/f\n"
		  "c000-e000 rw-p 00000000 00:00 0 [heap]\n", &w);
	maps_snapshot_merge_writable(&s, &w);
	static const struct {
		uint64_t start, end, offset;
		const char *perms, *path;
	} want[] = {
		{ 0x1000, 0x2000, 0, "r-xp", "/lib/a.so" },
		{ 0x2000, 0x3000, 0x1000, "rw-p", "/lib/a.so" },
		{ 0x5000, 0x6000, 0, "r--p", "/data/f" },
		{ 0x6000, 0x7000, 0x1000, "rw-p", "/data/f" },
		{ 0x7000, 0x9000, 0x2000, "r--p", "/data/f" },
		{ 0xa000, 0xb000, 0, "---p", NULL },
		{ 0xb000, 0xc000, 0, "rw-s", "/dev/shm/x" },
		{ 0xc000, 0xe000, 0, "rw-p", "[heap]" },
	};
	CU_ASSERT_EQUAL_FATAL(s.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < s.n; i++) {
		CU_ASSERT_EQUAL(s.v[i].start, want[i].start);
		CU_ASSERT_EQUAL(s.v[i].end, want[i].end);
		CU_ASSERT_EQUAL(s.v[i].offset, want[i].offset);
		CU_ASSERT_STRING_EQUAL(s.v[i].perms, want[i].perms);
		CU_ASSERT(path_is(&s.v[i], want[i].path));
	}
	/* Nothing writable any more: every private writable entry goes. */
	struct maps_snapshot none = { 0 };
	maps_snapshot_merge_writable(&s, &none);
	CU_ASSERT_EQUAL(s.n, 5);
	for (size_t i = 0; i < s.n; i++)
		CU_ASSERT_FALSE(map_entry_private_writable(&s.v[i]));
	maps_snapshot_free(&s);
	maps_snapshot_free(&w);
}

/* Which entries a range overlaps, at the edges (touching is not
   overlapping), in a gap, before and after all; and a splice that
   replaces some entries with more, fewer, or none. */
static void
test_overlap_splice(void)
{
	struct maps_snapshot s;
	parse_str("1000-2000 r-xp 00000000 08:01 7 /lib/a.so\n"
		  "2000-3000 rw-p 00001000 08:01 7 /lib/a.so\n"
		  "5000-9000 r--p 00000000 08:01 9 /data/f\n"
		  "a000-b000 ---p 00000000 00:00 0\n", &s);
	static const struct {
		uint64_t start, end;
		size_t first, last;
	} want[] = {
		{ 0x0, 0x1000, 0, 0 },		/* ends where the first starts */
		{ 0x0, 0x1001, 0, 1 },
		{ 0x1fff, 0x2001, 0, 2 },
		{ 0x2000, 0x3000, 1, 2 },
		{ 0x3000, 0x5000, 2, 2 },	/* in a gap */
		{ 0x4000, 0xc000, 2, 4 },
		{ 0x8fff, 0xa000, 2, 3 },
		{ 0xb000, 0xc000, 4, 4 },	/* after all */
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		size_t first = 99, last = 99;
		maps_snapshot_overlap(&s, want[i].start, want[i].end, &first, &last);
		CU_ASSERT_EQUAL(first, want[i].first);
		CU_ASSERT_EQUAL(last, want[i].last);
	}

	/* Two entries become three. */
	struct map_entry add[3] = {
		{ .start = 0x1000, .end = 0x1800, .perms = "r-xp" },
		{ .start = 0x1800, .end = 0x2800, .perms = "rw-p" },
		{ .start = 0x2800, .end = 0x3000, .perms = "rw-p" },
	};
	map_entry_free(&s.v[0]);
	map_entry_free(&s.v[1]);
	maps_snapshot_splice(&s, 0, 2, add, 3);
	CU_ASSERT_EQUAL_FATAL(s.n, 5);
	CU_ASSERT_EQUAL(s.v[1].start, 0x1800);
	CU_ASSERT_EQUAL(s.v[2].end, 0x3000);
	CU_ASSERT_EQUAL(s.v[3].start, 0x5000);
	CU_ASSERT(path_is(&s.v[3], "/data/f"));
	CU_ASSERT_EQUAL(s.v[4].start, 0xa000);
	/* Three become none, then one goes in at the end. */
	for (size_t i = 0; i < 3; i++)
		map_entry_free(&s.v[i]);
	maps_snapshot_splice(&s, 0, 3, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(s.n, 2);
	CU_ASSERT_EQUAL(s.v[0].start, 0x5000);
	struct map_entry tail = { .start = 0xc000, .end = 0xd000, .perms = "rw-p" };
	maps_snapshot_splice(&s, 2, 2, &tail, 1);
	CU_ASSERT_EQUAL_FATAL(s.n, 3);
	CU_ASSERT_EQUAL(s.v[2].start, 0xc000);
	CU_ASSERT_EQUAL(s.v[1].start, 0xa000);
	maps_snapshot_free(&s);
}

int
main(void)
{
	CU_TestInfo tests[] = {
		{ "parse: normal lines", test_parse_normal },
		{ "the writable mappings merged into a snapshot", test_merge_writable },
		{ "snapshot: overlap and splice", test_overlap_splice },
		{ "parse: empty input", test_parse_empty },
		{ "parse: paths with spaces", test_parse_path_spaces },
		{ "parse: (deleted) suffix", test_parse_deleted },
		{ "parse: bad hex", test_parse_bad_hex },
		{ "parse: missing fields", test_parse_missing_fields },
		{ "parse: start >= end", test_parse_start_not_below_end },
		{ "parse: number overflow", test_parse_overflow },
		{ "parse: garbage and empty lines", test_parse_garbage_and_empty },
		{ "parse: embedded NUL", test_parse_embedded_nul },
		{ "parse: unterminated last line", test_parse_unterminated_last_line },
		{ "parse: unsorted input", test_parse_unsorted },
		{ "parse: overlapping input", test_parse_overlapping },
		{ "parse: 100k lines", test_parse_huge },
		{ "parse: 100k lines reversed", test_parse_huge_reversed },
		{ "find: edges", test_find },
		{ "entry: deep copy", test_entry_copy },
		{ "diff: added, removed, mprotect", test_diff },
		{ "diff: deleted flag only", test_diff_deleted_flag_only },
		{ "diff: empty sides", test_diff_empty_sides },
		{ "history: lookup most recent", test_history },
		{ "history: 2000 plugin cycles", test_history_many },
		{ "is_file", test_is_file },
		{ "read_pid: self", test_read_pid_self },
		{ "read_pid: many mappings", test_read_pid_large },
		{ "read_pid: no such process", test_read_pid_gone },
		{ "read_thread: main thread exited", test_read_thread_leader_gone },
		CU_TEST_INFO_NULL,
	};

	return cunit_run("maps", tests);
}
