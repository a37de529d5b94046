/*
 * ordinary_crash: crashes that have nothing to do with any plugin, after
 * plugins were loaded and cleanly unloaded.
 *
 *   ordinary_crash MODE [PLUGIN.so...]
 *
 * Each PLUGIN.so (libplugin_small.so, libplugin_ops.so) is loaded, used
 * and dlclosed first, so a diagnosis that blames "the last library
 * unloaded" for every fault is caught out.  MODE:
 *   null-read      read through a NULL pointer
 *   null-field     read a field 16 bytes into a NULL struct pointer
 *   stack-overflow endless recursion into the stack's guard area
 *   thread-stack-overflow  the same on a thread (glibc's guard page)
 *   rodata-write   write to a string literal
 *   assert         a failed assert() (abort with glibc's message)
 *   exec-heap      call a function pointer that holds a heap address
 *   divide         integer division by zero
 *   trap           __builtin_trap() (ud2)
 *   truncated      read a mapped file after it was truncated (SIGBUS)
 *   unmapped-file  read a data file's mapping after munmap (mapped before
 *                  the plugins were loaded, so the tool saw it)
 *   reuse-after-munmap  map an anonymous page where the first plugin's
 *                  code was (after it was unloaded), munmap it, read it
 *   big-free       read a 1 MiB malloc block after free() (glibc mmaps
 *                  and munmaps blocks that big)
 *   decommit       read pages that mmap(MAP_FIXED) replaced with an
 *                  inaccessible mapping (as an allocator gives pages back
 *                  and keeps their addresses)
 *   stale-register read NULL while r13 holds the entry of the first
 *                  plugin's plugin_value(), whose page an anonymous
 *                  mapping took after the plugin was unloaded: a register
 *                  the faulting instruction did not use is no evidence
 *
 * Expected, native, both compilers: killed by SIGSEGV (SIGABRT for
 * assert, SIGFPE for divide, SIGILL for trap, SIGBUS for truncated).
 */
#include <assert.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include "repro.h"

static REPRO_NOINLINE void use_plugin_cleanly(const char *path)
{
	void *handle = open_plugin(path, RTLD_NOW | RTLD_LOCAL);

	say("host: loaded and unloaded %s", path);
	dlclose(handle);
}

struct config {
	long version;
	long flags;
	long size;
};

static REPRO_NOINLINE long read_size(volatile struct config *c)
{
	return c->size;
}

/* Never reached: only there so that the compiler sees a way out. */
static volatile int recursion_limit = 1 << 30;

static REPRO_NOINLINE int recurse(int depth)
{
	volatile char frame[512];

	frame[0] = (char)depth;
	if (depth >= recursion_limit)
		return 0;
	return recurse(depth + 1) + frame[0];
}

static void *recurse_on_thread(void *arg)
{
	(void)arg;
	recurse(0);
	return NULL;
}

static REPRO_NOINLINE void write_literal(char *s)
{
	s[0] = 'J';
}

static REPRO_NOINLINE int check_count(int count)
{
	assert(count > 0 && "the registry must not be empty");
	return count;
}

static REPRO_NOINLINE int divide(volatile int a, volatile int b)
{
	return a / b;
}

static REPRO_NOINLINE int read_truncated(void)
{
	char path[] = "/tmp/ordinary_crash.XXXXXX";
	int fd = mkstemp(path);
	volatile char *p;

	if (fd < 0 || ftruncate(fd, 8192) != 0)
		return REPRO_EXIT_LOAD;
	p = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
	unlink(path);
	if (p == MAP_FAILED || ftruncate(fd, 0) != 0)
		return REPRO_EXIT_LOAD;
	return p[4096];
}

/* A data file, mapped: the caller unmaps it. */
static REPRO_NOINLINE volatile char *map_data_file(void)
{
	char path[] = "/tmp/ordinary_crash.XXXXXX";
	int fd = mkstemp(path);
	void *p;

	if (fd < 0 || ftruncate(fd, 8192) != 0)
		exit(REPRO_EXIT_LOAD);
	p = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
	unlink(path);
	close(fd);
	if (p == MAP_FAILED)
		exit(REPRO_EXIT_LOAD);
	return p;
}

static REPRO_NOINLINE int null_read_holding(void *stale)
{
	volatile int *volatile p = NULL;
	int *q = (int *)p;
	int v;

	__asm__ volatile("mov %1, %%r13\n\tmovl (%2), %0"
			 : "=r"(v) : "r"(stale), "r"(q) : "r13", "memory");
	return v;
}

/* Load the plugin, keep the address of plugin_value(), unload it, and map
   an anonymous page where that code was. */
static REPRO_NOINLINE void *stale_code_address(const char *path)
{
	void *handle = open_plugin(path, RTLD_NOW | RTLD_LOCAL);
	void *fn = plugin_symbol(handle, "plugin_value");
	void *page = (void *)((unsigned long)fn & ~4095UL);

	dlclose(handle);
	if (mmap(page, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		 -1, 0) != page)
		exit(REPRO_EXIT_LOAD);
	return fn;
}

static REPRO_NOINLINE char *reuse_page(void *stale)
{
	char *page = (char *)((unsigned long)stale & ~4095UL);

	if (mmap(page, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != page)
		exit(REPRO_EXIT_LOAD);
	page[0] = 1;
	munmap(page, 4096);
	return stale;
}

/* Kept where the compiler cannot follow it: the use after free is the
   point. */
static char *volatile freed_block;

static REPRO_NOINLINE int use_freed_block(void)
{
	char *block = malloc(1 << 20);

	if (!block)
		return REPRO_EXIT_LOAD;
	block[4096] = 1;
	freed_block = block;
	free(block);
	return ((volatile char *)freed_block)[4096];
}

static REPRO_NOINLINE char *decommit(char *pages, size_t len)
{
	return mmap(pages, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
		    -1, 0);
}

static REPRO_NOINLINE int use_decommitted(void)
{
	char *pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (pages == MAP_FAILED)
		return REPRO_EXIT_LOAD;
	pages[100] = 1;
	if (decommit(pages, 8192) != pages)
		return REPRO_EXIT_LOAD;
	return ((volatile char *)pages)[100];
}

/* ud2 as its very first instruction (no frame set up: naked), for a
   fault at a symbol's start. */
static REPRO_NOINLINE __attribute__((naked)) void trap_now(void)
{
	__asm__ volatile("ud2");
}

int main(int argc, char **argv)
{
	volatile char *data = NULL;

	if (argc < 2) {
		fprintf(stderr, "usage: ordinary_crash MODE [PLUGIN.so...]\n");
		return REPRO_EXIT_USAGE;
	}
	const char *mode = argv[1];
	if (strcmp(mode, "unmapped-file") == 0)
		data = map_data_file();
	for (int i = 2; i < argc; i++)
		use_plugin_cleanly(argv[i]);
	say("host: %s", mode);
	if (strcmp(mode, "null-read") == 0) {
		volatile int *volatile p = NULL;
		return *p;
	} else if (strcmp(mode, "null-field") == 0) {
		return (int)read_size(NULL);
	} else if (strcmp(mode, "stack-overflow") == 0) {
		return recurse(0);
	} else if (strcmp(mode, "thread-stack-overflow") == 0) {
		pthread_t t;
		pthread_create(&t, NULL, recurse_on_thread, NULL);
		pthread_join(t, NULL);
	} else if (strcmp(mode, "rodata-write") == 0) {
		write_literal((char *)"hello");
	} else if (strcmp(mode, "assert") == 0) {
		return check_count(0);
	} else if (strcmp(mode, "exec-heap") == 0) {
		void (*fn)(void) = (void (*)(void))malloc(64);
		fn();
	} else if (strcmp(mode, "divide") == 0) {
		return divide(1, 0);
	} else if (strcmp(mode, "trap") == 0) {
		trap_now();
	} else if (strcmp(mode, "truncated") == 0) {
		return read_truncated();
	} else if (strcmp(mode, "unmapped-file") == 0) {
		munmap((void *)data, 8192);
		return data[16];
	} else if (strcmp(mode, "reuse-after-munmap") == 0 && argc > 2) {
		void *handle = open_plugin(argv[2], RTLD_NOW | RTLD_LOCAL);
		void *fn = plugin_symbol(handle, "plugin_value");

		dlclose(handle);
		return *(volatile char *)reuse_page(fn);
	} else if (strcmp(mode, "big-free") == 0) {
		return use_freed_block();
	} else if (strcmp(mode, "decommit") == 0) {
		return use_decommitted();
	} else if (strcmp(mode, "stale-register") == 0 && argc > 2) {
		return null_read_holding(stale_code_address(argv[2]));
	} else {
		fprintf(stderr, "ordinary_crash: unknown mode %s\n", mode);
		return REPRO_EXIT_USAGE;
	}
	say("host: still alive");
	return 0;
}
