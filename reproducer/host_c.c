/*
 * host_c: a C host keeps a pointer into a plugin after dlclose.
 *
 *   host_c table PLUGIN.so   keep the ops table, call ops->run() later
 *   host_c fnptr PLUGIN.so   keep a copy of ops->run, call it later
 *   host_c global PLUGIN.so  keep ops->run in a global variable, call it later
 *   host_c keep PLUGIN.so    load the plugin and exit with it loaded (the
 *                            control: no bug, and no system call a tracer
 *                            stops at between the load and exit_group)
 *
 * Expected, native, both compilers, with libplugin_ops.so:
 *   table: SIGSEGV in call_kept_ops, reading the unmapped table
 *          (fault address = &ops->run, pc in host_c)
 *   fnptr: SIGSEGV in the jump to unmapped code (pc == fault address);
 *          the caller, call_kept_fnptr, is the return address on the stack
 *   global: as fnptr; the global is a word a scan at the unload finds.
 *          With libplugin_withdep.so, run() is in libplugin_dep.so, which
 *          the same dlclose unloads.
 */
#include "repro.h"
#include "plugin_ops.h"

static REPRO_NOINLINE void *load_plugin(const char *path,
					const struct plugin_ops **ops)
{
	void *handle = open_plugin(path, RTLD_NOW | RTLD_LOCAL);
	plugin_get_ops_fn *get_ops =
		(plugin_get_ops_fn *)plugin_symbol(handle, "plugin_get_ops");

	*ops = get_ops();
	say("host: loaded %s, ops \"%s\", run() = %d", path, (*ops)->name,
	    (*ops)->run());
	return handle;
}

/* The table itself is gone: the load of ops->run faults. */
static REPRO_NOINLINE int call_kept_ops(const struct plugin_ops *ops)
{
	say("host: calling kept ops->run()");
	return ops->run();
}

/* The pointer is intact, the code it points to is gone. */
static REPRO_NOINLINE int call_kept_fnptr(int (*run)(void))
{
	say("host: calling kept function pointer");
	return run();
}

/* Where global mode keeps ops->run. */
int (*volatile kept_run)(void);

int main(int argc, char **argv)
{
	const struct plugin_ops *ops;
	int (*run)(void);
	void *handle;
	int table;

	if (argc != 3 || (strcmp(argv[1], "table") && strcmp(argv[1], "fnptr") &&
			  strcmp(argv[1], "global") && strcmp(argv[1], "keep"))) {
		fprintf(stderr, "usage: host_c table|fnptr|global|keep PLUGIN.so\n");
		return REPRO_EXIT_USAGE;
	}
	table = strcmp(argv[1], "table") == 0;

	handle = load_plugin(argv[2], &ops);
	if (strcmp(argv[1], "keep") == 0)
		return 0;
	run = ops->run;
	if (strcmp(argv[1], "global") == 0)
		kept_run = run;
	unload_plugin(handle);
	if (strcmp(argv[1], "global") == 0)
		call_kept_fnptr(kept_run);
	else if (table)
		call_kept_ops(ops);
	else
		call_kept_fnptr(run);
	say("host: done");
	return 0;
}
