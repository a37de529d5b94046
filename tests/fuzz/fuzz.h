/* Shared by the fuzz harnesses (fuzz_*.c) and replay_main.c.

   A harness is built twice: linked with libFuzzer's main (fuzz_*, clang
   only, --enable-fuzzers), and linked with replay_main.c (replay_*, any
   compiler), which runs it once on each file named on the command line,
   so every build replays the seeds and the regression inputs. */
#ifndef TA_FUZZ_H
#define TA_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The input as a file (a memfd named name), for modules that read files;
   aborts when it cannot be made. */
int fuzz_input_fd(const char *name, const uint8_t *data, size_t size);

/* An invariant of the module under test.  A wrong answer is a finding as
   much as a crash is, so it ends the run the same way: abort() is what
   libFuzzer saves a crasher for. */
#define FUZZ_CHECK(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: check failed: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

/* A little-endian 64-bit word of the input at off, 0 past its end. */
static inline uint64_t
fuzz_le64(const uint8_t *data, size_t size, size_t off)
{
	uint64_t w = 0;

	for (size_t i = 0; i < 8 && off + i < size; i++)
		w |= (uint64_t) data[off + i] << (8 * i);
	return w;
}

#endif
