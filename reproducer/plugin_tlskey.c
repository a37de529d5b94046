/*
 * libplugin_tlskey.so: per-thread state with a destructor in the plugin,
 * and no pthread_key_delete() at unload -- the key and its destructor
 * stay registered in libc after this library is gone.
 */
#include <pthread.h>
#include <stdlib.h>

int plugin_attach_thread(void);

static pthread_key_t key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void free_thread_state(void *state)
{
	free(state);
}

static void make_key(void)
{
	pthread_key_create(&key, free_thread_state);
}

int plugin_attach_thread(void)
{
	void *state = calloc(1, 64);

	pthread_once(&key_once, make_key);
	return state ? pthread_setspecific(key, state) : -1;
}
