/*
 * libplugin_dep.so: a library that only libplugin_withdep.so needs, so
 * that the dlclose of that plugin unloads both.
 */
int dep_run(void);

int dep_run(void)
{
	return 7;
}
