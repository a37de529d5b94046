/* Fuzz harness for the ELF symbolizer (src/elfsym.c).

   The input is the whole ELF file.  It is written to a memfd, opened with
   elfsym_open_fd as the tool opens a library through /proc/PID/map_files,
   and every entry point is exercised on it: lookups at addresses taken
   from the file's own segments, symbols, relocations and entry point and
   from the input's last bytes, lookups by name, vtable-slot resolution
   over the start of each segment and at every relocation, the unique
   symbols, NODELETE, the soname, the build-id, offset-to-vaddr, and
   reading the whole file into memory (right after opening it, as the tool
   does, when the input size is odd; after the lookups, where it is
   refused, when it is even).

   elfsym.c is included, not linked from libaudit.a, so that it is built
   with this harness's instrumentation; that also gives access to the
   relocation index, whose offsets are the words most worth resolving. */
#include "elfsym.c"
#include "fuzz.h"

#include <stdio.h>

/* Enough to cover what matters in a small library without making one
   input take more than a few milliseconds. */
#define MAX_PROBES		512
#define MAX_WORDS_PER_SEGMENT	256
#define MAX_RELOC_WORDS		512

struct probes {
	uint64_t v[MAX_PROBES];
	size_t n;
};

static void
probe_add(struct probes *p, uint64_t addr)
{
	if (p->n < MAX_PROBES)
		p->v[p->n++] = addr;
}

/* Every string the module hands out must be a whole C string. */
static void
check_string(const char *s)
{
	FUZZ_CHECK(s != NULL);
	volatile size_t n = strlen(s);
	(void) n;
}

/* What elfsym.h promises of a lookup: a sized symbol contains vaddr, a
   zero-sized one is exactly at it, and the name can be found again. */
static void
check_lookup(struct elf_file *f, uint64_t vaddr, struct probes *more)
{
	struct elf_symbol s, again;

	if (!elfsym_lookup(f, vaddr, &s))
		return;
	check_string(s.name);
	FUZZ_CHECK(*s.name != '\0');
	if (s.size)
		FUZZ_CHECK(s.value <= vaddr && vaddr - s.value < s.size);
	else
		FUZZ_CHECK(s.value == vaddr);
	FUZZ_CHECK(elfsym_find(f, s.name, &again));
	FUZZ_CHECK(base_name_cmp(again.name, s.name) == 0);
	/* The same question gets the same answer. */
	FUZZ_CHECK(elfsym_lookup(f, vaddr, &again));
	FUZZ_CHECK(again.name == s.name && again.value == s.value &&
		   again.size == s.size);
	if (more) {
		probe_add(more, s.value);
		if (s.size)
			probe_add(more, s.value + s.size);
	}
}

static void
check_find(struct elf_file *f, const char *name)
{
	struct elf_symbol s;

	if (!elfsym_find(f, name, &s))
		return;
	check_string(s.name);
	FUZZ_CHECK(base_name_cmp(s.name, name) == 0);
}

static void
check_resolve(struct elf_file *f, uint64_t vaddr)
{
	struct elf_symbol s;

	if (elfsym_resolve_word(f, vaddr, &s))
		check_string(s.name);
}

static void
check_unique(const struct elf_symbol *sym, void *arg)
{
	size_t *n = arg;

	check_string(sym->name);
	FUZZ_CHECK(sym->bind == STB_GNU_UNIQUE);
	FUZZ_CHECK(!sym->from_symtab);
	(*n)++;
}

static void
check_metadata(struct elf_file *f)
{
	const char *id = elfsym_build_id(f);
	if (id) {
		size_t n = strlen(id);
		FUZZ_CHECK(n >= 2 && n <= 2 * BUILD_ID_MAX && n % 2 == 0);
		FUZZ_CHECK(strspn(id, "0123456789abcdef") == n);
		FUZZ_CHECK(elfsym_build_id(f) == id);	/* cached */
	}
	const char *soname = elfsym_soname(f);
	if (soname)
		check_string(soname);
	(void) elfsym_has_nodelete(f);
	(void) elfsym_is_dyn(f);
	check_string(elfsym_path(f));

	/* What objcache compares with the mapped bytes: bounded by 4 KiB. */
	uint64_t v0;
	FUZZ_CHECK(elfsym_head_span(f, &v0) <= 4096);
	uint64_t hv, hs;
	if (elfsym_eh_frame_hdr(f, &hv, &hs))
		FUZZ_CHECK(hv + hs >= hv && hs > 0);

	size_t seen = 0;
	size_t n = elfsym_for_each_unique(f, check_unique, &seen);
	FUZZ_CHECK(n == seen);
	FUZZ_CHECK(elfsym_for_each_unique(f, NULL, NULL) == n);
}

static void
check_segments(struct elf_file *f, struct probes *p)
{
	size_t n;
	const struct elf_segment *segs = elfsym_segments(f, &n);

	FUZZ_CHECK(n == 0 || segs != NULL);
	for (size_t i = 0; i < n; i++) {
		const struct elf_segment *s = &segs[i];
		uint64_t vaddr;

		/* load_segments drops what wraps around. */
		FUZZ_CHECK(s->vaddr + s->memsz >= s->vaddr);
		FUZZ_CHECK(s->offset + s->filesz >= s->offset);
		if (s->filesz) {
			FUZZ_CHECK(elfsym_offset_to_vaddr(f, s->offset, &vaddr));
			probe_add(p, vaddr);
		}
		/* A maps line gives the page-aligned offset below it. */
		if (elfsym_offset_to_vaddr(f, s->offset & ~(uint64_t) 0xfff, &vaddr))
			probe_add(p, vaddr);
		if (elfsym_offset_to_vaddr(f, s->offset + s->filesz, &vaddr))
			probe_add(p, vaddr);
		probe_add(p, s->vaddr);
		probe_add(p, s->vaddr + s->memsz / 2);
		if (s->memsz) {
			probe_add(p, s->vaddr + s->memsz - 1);
			probe_add(p, s->vaddr + s->memsz);
		}
	}
}

/* The words a vtable or a function-pointer table would be made of: the
   start of each segment, and every relocated word. */
static void
resolve_words(struct elf_file *f, const uint8_t *data, size_t size)
{
	size_t n;
	const struct elf_segment *segs = elfsym_segments(f, &n);

	for (size_t i = 0; i < n; i++) {
		uint64_t start = segs[i].vaddr & ~(uint64_t) 7;
		for (uint64_t k = 0; k < MAX_WORDS_PER_SEGMENT; k++) {
			if (k * 8 >= segs[i].memsz)
				break;
			check_resolve(f, start + k * 8);
		}
	}
	/* reloc_at loads the index on the first call above, or here. */
	check_resolve(f, fuzz_le64(data, size, size >= 8 ? size - 8 : 0));
	for (size_t i = 0; i < f->nrelocs && i < MAX_RELOC_WORDS; i++) {
		check_resolve(f, f->relocs[i].offset);
		check_resolve(f, f->relocs[i].offset + 1);	/* unaligned */
	}
}

static void
lookups(struct elf_file *f, const uint8_t *data, size_t size)
{
	struct probes p = { .n = 0 };

	check_segments(f, &p);
	probe_add(&p, f->ehdr.e_entry);
	probe_add(&p, 0);
	probe_add(&p, UINT64_MAX);
	/* Arbitrary addresses the fuzzer controls: the last 64 bytes. */
	for (size_t off = size >= 64 ? size - 64 : 0; off + 8 <= size; off += 8)
		probe_add(&p, fuzz_le64(data, size, off));

	/* Symbols found at the probes add their own start and end. */
	size_t first = p.n;
	for (size_t i = 0; i < first; i++)
		check_lookup(f, p.v[i], &p);
	for (size_t i = first; i < p.n; i++) {
		check_lookup(f, p.v[i], NULL);
		if (p.v[i])
			check_lookup(f, p.v[i] - 1, NULL);
	}

	static const char *const names[] = {
		"main", "_init", "_start", "dlclose", "dlclose@@GLIBC_2.34",
		"_ZTVN7fixture6CircleE", "_ZN7fixture10live_countEv",
		"@", "@@", "a@b@@c", "",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		check_find(f, names[i]);
	/* A name from the input (its last bytes, up to a NUL). */
	char tail[33];
	size_t tn = size < sizeof(tail) - 1 ? size : sizeof(tail) - 1;
	memcpy(tail, data + size - tn, tn);
	tail[tn] = '\0';
	check_find(f, tail);
	struct elf_symbol none;
	FUZZ_CHECK(!elfsym_find(f, NULL, &none));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_file *f = elfsym_open_fd(fuzz_input_fd("fuzz_elfsym", data, size), "fuzz.so");
	if (!f)
		return 0;

	bool read_first = size & 1;
	if (read_first)
		FUZZ_CHECK(elfsym_read_all(f));
	lookups(f, data, size);
	resolve_words(f, data, size);
	check_metadata(f);
	if (!read_first) {
		/* Refused once section data has been read (see elfsym.c);
		   the answers must not change either way. */
		(void) elfsym_read_all(f);
		lookups(f, data, size);
		resolve_words(f, data, size);
	}
	elfsym_close(f);
	return 0;
}
