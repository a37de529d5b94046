/*
 * libbenchplugin.so: the smallest useful plugin, with code, read-only data
 * and writable data, so each load maps the usual segments and each unload
 * unmaps them.
 */
static unsigned long calls;
static const unsigned long salt = 0x9e3779b97f4a7c15UL;

unsigned long bench_plugin_call(unsigned long x);

unsigned long
bench_plugin_call(unsigned long x)
{
	calls++;
	return (x ^ salt) + calls;
}
