/* Test fixture for test_elfsym: a C plugin's operations table, the other
   common shape of a pointer into a plugin.  Built as a shared object
   linked with -z nodelete (slots relocated by R_X86_64_RELATIVE for the
   static functions, R_X86_64_64 for the exported one) and, with
   FIXTURE_MAIN, as a non-PIE executable whose table holds final addresses
   with no relocation at all. */
struct fixture_ops {
	int (*open)(int);
	void (*close)(int);
	int (*hook)(int);
	const char *name;
};

static int
ops_open(int x)
{
	return x + 1;
}

static void
ops_close(int x)
{
	(void) x;
}

int fixture_ops_hook(int x);

int
fixture_ops_hook(int x)
{
	return 2 * x;
}

const struct fixture_ops fixture_ops_table = {
	ops_open, ops_close, fixture_ops_hook, "fixture",
};

#ifdef FIXTURE_MAIN
int
main(void)
{
	fixture_ops_table.close(0);
	return fixture_ops_table.open(-1) + fixture_ops_table.hook(0);
}
#endif
