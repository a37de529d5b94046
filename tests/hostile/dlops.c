/* dlops OP...: dlopen and dlclose as told, to see what keeps a library
   mapped after dlclose.
     o:PATH  dlopen PATH (RTLD_NOW)
     n:PATH  dlopen PATH with RTLD_NODELETE
     c:K     dlclose the handle of the K-th open (from 0) */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	void *handles[32];
	int n = 0;
	for (int i = 1; i < argc; i++) {
		const char *op = argv[i];
		if ((op[0] == 'o' || op[0] == 'n') && op[1] == ':' && n < 32) {
			handles[n] = dlopen(op + 2, RTLD_NOW | (op[0] == 'n' ? RTLD_NODELETE : 0));
			if (!handles[n]) {
				fprintf(stderr, "dlops: %s\n", dlerror());
				return 3;
			}
			n++;
		} else if (op[0] == 'c' && op[1] == ':' && atoi(op + 2) < n) {
			if (dlclose(handles[atoi(op + 2)]) != 0) {
				fprintf(stderr, "dlops: %s\n", dlerror());
				return 3;
			}
		} else {
			fprintf(stderr, "usage: dlops o:PATH|n:PATH|c:K...\n");
			return 2;
		}
	}
	return 0;
}
