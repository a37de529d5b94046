/* Fuzz harness for the source-line lookup (src/debuginfo.c).

   The input is a whole ELF file, opened as the tool opens a library; the
   lookup runs at addresses taken from its own segments and from the
   input's last bytes.  libdw parses the DWARF; what is checked here is
   that every answer is well formed and that nothing crashes, leaks or
   loops on a corrupt file.  No debug directory is searched: the input is
   the only file read.

   debuginfo.c is included so that it is built with this harness's
   instrumentation. */
#include "debuginfo.c"
#include "fuzz.h"


#define MAX_PROBES 64

static void
check_lookup(struct elf_file *f, uint64_t vaddr)
{
	struct src_location loc;

	if (!debuginfo_lookup(f, vaddr, &loc))
		return;
	FUZZ_CHECK(loc.file != NULL && loc.file[0] != '\0');
	FUZZ_CHECK(loc.ninlined == 0 || loc.inlined != NULL);
	for (size_t i = 0; i < loc.ninlined; i++) {
		FUZZ_CHECK(loc.inlined[i].function != NULL);
		FUZZ_CHECK(loc.inlined[i].file != NULL);
	}
	src_location_free(&loc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	debuginfo_set_dirs("");
	struct elf_file *f = elfsym_open_fd(fuzz_input_fd("fuzz_srcline", data, size), "fuzz.so");
	if (!f)
		return 0;
	uint64_t probes[MAX_PROBES];
	size_t n = 0, nsegs;
	const struct elf_segment *segs = elfsym_segments(f, &nsegs);
	for (size_t i = 0; i < nsegs && n + 4 <= MAX_PROBES; i++) {
		probes[n++] = segs[i].vaddr;
		probes[n++] = segs[i].vaddr + segs[i].memsz / 2;
		probes[n++] = segs[i].vaddr + segs[i].memsz - 1;
		probes[n++] = segs[i].vaddr + segs[i].memsz;
	}
	for (size_t off = size >= 64 ? size - 64 : 0; off + 8 <= size && n < MAX_PROBES; off += 8)
		probes[n++] = fuzz_le64(data, size, off);
	for (size_t i = 0; i < n; i++)
		check_lookup(f, probes[i]);
	/* Twice: the second answer comes from what the first one cached. */
	if (n)
		check_lookup(f, probes[0]);
	debuginfo_free_all();
	elfsym_close(f);
	return 0;
}
