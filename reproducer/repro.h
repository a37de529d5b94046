/*
 * Helpers shared by the reproducer hosts (C and C++).
 *
 * Exit codes used by every program here, so a test can tell a broken
 * setup from the behaviour under study:
 *   2  bad command line
 *   3  a plugin could not be loaded or lacks a symbol
 * Anything else is the program's own result (see its header comment).
 */
#ifndef REPRO_H
#define REPRO_H

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPRO_EXIT_USAGE 2
#define REPRO_EXIT_LOAD 3

#define REPRO_NOINLINE __attribute__((noinline))

/*
 * Tests compare the target's stdout with and without the tool, so every
 * line is flushed at once: a crash must not eat a buffered line.
 */
__attribute__((format(printf, 1, 2)))
static inline void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/*
 * dlopen() searches the library path for a name without a slash; the
 * hosts take a file name, so "libfoo.so" means "./libfoo.so" here.
 */
static inline void *open_plugin(const char *path, int flags)
{
	char buf[4096];
	void *handle;

	if (!strchr(path, '/')) {
		snprintf(buf, sizeof(buf), "./%s", path);
		path = buf;
	}
	handle = dlopen(path, flags);
	if (!handle) {
		fprintf(stderr, "cannot load plugin %s: %s\n", path, dlerror());
		exit(REPRO_EXIT_LOAD);
	}
	return handle;
}

static inline void *plugin_symbol(void *handle, const char *name)
{
	void *sym = dlsym(handle, name);

	if (!sym) {
		fprintf(stderr, "plugin has no symbol %s: %s\n", name, dlerror());
		exit(REPRO_EXIT_LOAD);
	}
	return sym;
}

/*
 * The host function that unloads a plugin: the tests look for it in the
 * dlclose caller's stack, so it is never inlined (and may go unused).
 */
static REPRO_NOINLINE __attribute__((unused)) void unload_plugin(void *handle)
{
	if (dlclose(handle) != 0) {
		fprintf(stderr, "dlclose: %s\n", dlerror());
		exit(REPRO_EXIT_LOAD);
	}
	say("host: unloaded plugin");
}

#endif
