/*
 * host_dlmopen: a plugin loaded into a link-map namespace of its own.
 *
 *   host_dlmopen fnptr PLUGIN.so   dlmopen(LM_ID_NEWLM), keep ops->run,
 *                                  dlclose, call the kept pointer
 *   host_dlmopen clean PLUGIN.so   dlmopen(LM_ID_NEWLM), a second dlmopen
 *                                  into the same namespace (one more
 *                                  reference), both closed, nothing kept
 *   host_dlmopen pinned PLUGIN.so  dlopen into the base namespace, then
 *                                  dlmopen(LM_ID_NEWLM) of the same file,
 *                                  that handle closed first, then the
 *                                  base's (no symbol looked up: any plugin)
 *
 * dlmopen gives the plugin its own copy of every library it needs
 * (libc.so.6 included) and a link_map for ld.so in that namespace; the
 * dynamic linker tells a debugger about the namespace through
 * r_debug_extended.r_next (glibc 2.35+).
 *
 * Expected, native, both compilers, with libplugin_nsops.so:
 *   fnptr: SIGSEGV in the jump to unmapped code (pc == fault address);
 *          the caller, call_kept_fnptr, is the return address on the stack
 *   clean: exit 0
 *   pinned: exit 0; with gcc's libplugin_cxx.so the namespace's copy stays
 *           mapped after its dlclose: glibc bound its STB_GNU_UNIQUE symbol
 *           in that namespace's own table (each namespace has one), though
 *           the base's copy defines the same name; clang's copy goes
 */
#define _GNU_SOURCE
#include "repro.h"
#include "plugin_ops.h"

#include <link.h>

/* dlmopen, with open_plugin's rule for a bare name ("./name"). */
static REPRO_NOINLINE void *open_ns(Lmid_t lmid, const char *path)
{
	char buf[4096];
	void *handle;

	if (!strchr(path, '/')) {
		snprintf(buf, sizeof(buf), "./%s", path);
		path = buf;
	}
	handle = dlmopen(lmid, path, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		fprintf(stderr, "cannot load plugin %s: %s\n", path, dlerror());
		exit(REPRO_EXIT_LOAD);
	}
	return handle;
}

static REPRO_NOINLINE void *load_plugin_ns(Lmid_t lmid, const char *path,
					   const struct plugin_ops **ops)
{
	void *handle = open_ns(lmid, path);
	plugin_get_ops_fn *get_ops =
		(plugin_get_ops_fn *)plugin_symbol(handle, "plugin_get_ops");
	*ops = get_ops();
	say("host: loaded %s, ops \"%s\", run() = %d", path, (*ops)->name,
	    (*ops)->run());
	return handle;
}

static REPRO_NOINLINE int call_kept_fnptr(int (*run)(void))
{
	say("host: calling kept function pointer");
	return run();
}

int main(int argc, char **argv)
{
	const struct plugin_ops *ops;
	void *handle, *again;
	Lmid_t lmid;

	if (argc != 3 || (strcmp(argv[1], "fnptr") && strcmp(argv[1], "clean") &&
			  strcmp(argv[1], "pinned"))) {
		fprintf(stderr, "usage: host_dlmopen fnptr|clean|pinned PLUGIN.so\n");
		return REPRO_EXIT_USAGE;
	}
	if (strcmp(argv[1], "pinned") == 0) {
		handle = open_plugin(argv[2], RTLD_NOW | RTLD_LOCAL);
		say("host: loaded %s", argv[2]);
		again = open_ns(LM_ID_NEWLM, argv[2]);
		say("host: loaded it again into a new namespace");
		unload_plugin(again);
		unload_plugin(handle);
		say("host: done");
		return 0;
	}
	handle = load_plugin_ns(LM_ID_NEWLM, argv[2], &ops);
	if (dlinfo(handle, RTLD_DI_LMID, &lmid) != 0) {
		fprintf(stderr, "dlinfo: %s\n", dlerror());
		return REPRO_EXIT_LOAD;
	}
	say("host: namespace %ld", (long)lmid);
	if (strcmp(argv[1], "clean") == 0) {
		again = load_plugin_ns(lmid, argv[2], &ops);
		unload_plugin(again);
		unload_plugin(handle);
		say("host: done");
		return 0;
	}
	int (*run)(void) = ops->run;
	unload_plugin(handle);
	call_kept_fnptr(run);
	say("host: done");
	return 0;
}
