/*
 * host_ctor: load a plugin whose constructor does something inside the
 * dlopen (see plugin_ctor.c for the modes), then unload it.
 *
 *   host_ctor MODE PLUGIN.so [SMALL.so]
 *
 * crash: SIGSEGV in the constructor.  unmap: SIGSEGV in the host, reading
 * the page the constructor unmapped.  exit: status 4 from the
 * constructor.  nested (with SMALL.so), fork, clean: status 0; fork says
 * "host: child exit N".  self: the plugin's ctor_close_self closes its own
 * handle and returns into unmapped code (SIGSEGV).  arena: a thread keeps a
 * plugin function pointer in a block of its own malloc arena, frees it and
 * ends; then the plugin is unloaded (status 0: nothing live points into it).
 */
#include "repro.h"

#include <pthread.h>
#include <stdlib.h>

static REPRO_NOINLINE void read_page(volatile const char *page)
{
	say("host: reading %p", (const void *)page);
	say("host: read %d", page[0]);
}

/* Blocks of this thread's arena (glibc gives a new thread its own), each
   with a plugin function pointer past the words a freed block's list links
   overwrite, then freed: a small one (kept in a fastbin once the thread
   ends, where it looks allocated), and one too big for any such list. */
static void *stale_in_arena(void *fn)
{
	void **small = malloc(64), **big = malloc(4000);

	if (small && big) {
		small[4] = fn;
		big[4] = fn;
	}
	free(small);
	free(big);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: host_ctor crash|unmap|nested|fork|exit|self|arena|clean "
			"PLUGIN.so [SMALL.so]\n");
		return REPRO_EXIT_USAGE;
	}
	const char *mode = argv[1];
	setenv("CTOR_MODE", mode, 1);
	if (argc == 4)
		setenv("CTOR_SMALL", argv[3], 1);
	void *handle = open_plugin(argv[2], RTLD_NOW | RTLD_LOCAL);
	say("host: loaded");
	if (strcmp(mode, "unmap") == 0)
		read_page(*(char **)plugin_symbol(handle, "ctor_page"));
	if (strcmp(mode, "fork") == 0)
		say("host: child exit %d", *(int *)plugin_symbol(handle, "ctor_child_status"));
	if (strcmp(mode, "arena") == 0) {
		pthread_t t;
		if (pthread_create(&t, NULL, stale_in_arena,
				   plugin_symbol(handle, "ctor_close_self")) == 0)
			pthread_join(t, NULL);
	}
	if (strcmp(mode, "self") == 0) {
		void (*close_self)(void *);
		*(void **)&close_self = plugin_symbol(handle, "ctor_close_self");
		close_self(handle);
		say("host: back from the plugin");
		return 0;
	}
	unload_plugin(handle);
	say("host: done");
	return 0;
}
