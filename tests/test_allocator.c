/* Unit tests for src/allocator.c: the allocator's name from its file, and
   the glibc release read from a libc file (this machine's, and files made
   here with the text cut, split across reads, or missing). */
#include "config.h"
#include "allocator.h"
#include "glibc.h"

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

int
main(void)
{
	CU_TestInfo tests[] = {
		{ "name from the file", test_name },
		{ "version: this libc", test_version_this_libc },
		{ "version: made-up files", test_version_files },
		CU_TEST_INFO_NULL,
	};

	return cunit_run("allocator", tests);
}
