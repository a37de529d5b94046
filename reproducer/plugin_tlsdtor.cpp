/*
 * libplugin_tlsdtor.so: a thread_local object with a destructor.  The
 * first use in a thread registers the destructor (__cxa_thread_atexit),
 * and glibc keeps the library mapped until it has run.
 */
#include <cstdio>

namespace {

struct Tracker {
	int uses = 0;
	~Tracker() { std::printf("plugin: thread_local destroyed after %d uses\n", uses); }
};

thread_local Tracker tracker;

} // namespace

extern "C" void plugin_use_thread_local()
{
	tracker.uses++;
}
