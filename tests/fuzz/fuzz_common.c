/* What every fuzz harness shares: libFuzzer's initialization hook, and
   the input handed over as a file. */
#include "config.h"
#include "fuzz.h"
#include "error.h"

#include <sys/mman.h>
#include <unistd.h>

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void) argc;
	(void) argv;
	/* TA_FUZZ_DEBUG=1 also runs the debug messages (slow, noisy). */
	debug_enabled = getenv("TA_FUZZ_DEBUG") != NULL;
	return 0;
}

int
fuzz_input_fd(const char *name, const uint8_t *data, size_t size)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0) {
		perror("memfd_create for the fuzz input");
		abort();
	}
	for (size_t off = 0; off < size; ) {
		ssize_t w = write(fd, data + off, size - off);
		if (w <= 0) {
			perror("writing the fuzz input to a memfd");
			abort();
		}
		off += (size_t) w;
	}
	return fd;
}
