/*
 * libplugin_small.so: the smallest plugin, for the tests that load and
 * unload a lot (threads_churn, tree3, null_deref).  Nothing is kept past
 * dlclose: every unload is clean.
 */
int plugin_value(void);

int plugin_value(void)
{
	return 7;
}
