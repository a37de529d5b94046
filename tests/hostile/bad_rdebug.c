/* bad_rdebug MODE PLUGIN.so: smash what a debugger reads, tell the
   debugger through r_brk that the chain changed, then load a plugin and
   crash.
     cycle  r_debug.r_map points at a fake link_map chain that loops
     wild   the fake chain's pointers (l_next, l_name) point nowhere
     state  r_state holds garbage
   glibc keeps its own list (and puts r_map back at the next dlopen), so
   only the tracer sees the damage. */
#include <dlfcn.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The r_debug the dynamic linker really uses: the one DT_DEBUG points at
   (naming _r_debug here would only give this program a copy of it). */
static struct r_debug *
real_r_debug(void)
{
	for (ElfW(Dyn) *d = _DYNAMIC; d->d_tag != DT_NULL; d++)
		if (d->d_tag == DT_DEBUG)
			return (struct r_debug *)d->d_un.d_ptr;
	return NULL;
}

static struct link_map fake[3];

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bad_rdebug cycle|wild|state PLUGIN.so\n");
		return 2;
	}
	struct r_debug *rd = real_r_debug();
	if (!rd) {
		fprintf(stderr, "bad_rdebug: no DT_DEBUG\n");
		return 2;
	}
	struct link_map *real = rd->r_map;
	int state = rd->r_state;
	if (strcmp(argv[1], "cycle") == 0) {
		for (int i = 0; i < 3; i++) {
			fake[i].l_name = (char *)"fake";
			fake[i].l_next = &fake[(i + 1) % 3];
			fake[i].l_ld = (ElfW(Dyn) *)(uintptr_t)0x1000;
		}
		rd->r_map = &fake[0];
	} else if (strcmp(argv[1], "wild") == 0) {
		fake[0].l_name = (char *)(uintptr_t)0xdead0000;
		fake[0].l_next = (struct link_map *)(uintptr_t)0x7ffffff00000;
		rd->r_map = &fake[0];
	} else {
		rd->r_state = 12345;
	}
	if (strcmp(argv[1], "state") != 0)
		rd->r_state = RT_CONSISTENT;
	((void (*)(void))rd->r_brk)();
	rd->r_map = real;
	rd->r_state = state;

	void *h = dlopen(argv[2], RTLD_NOW);
	printf("bad_rdebug: dlopen %s\n", h ? "ok" : "failed");
	fflush(stdout);
	if (h)
		dlclose(h);
	volatile int *p = NULL;
	return *p;
}
