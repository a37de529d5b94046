/* Tests of the ELF symbolizer on real files: the system's libc.so.6 and
   ld.so, and fixture objects built by g++, clang++ and gcc (see
   tests/Makefile.am, found through $FIXTURE_DIR), then on corrupted copies
   of a fixture, which must never crash it (run under valgrind too).
   elfsym.c is included so the lookup rules can also be checked on
   hand-made tables, which no compiler produces on demand. */
#include "elfsym.c"

#include "demangle.h"
#include "debuginfo.h"
#include "linkmap.h"
#include "pin.h"
#include "mem.h"
#include "cunit_main.h"

#include <gnu/libc-version.h>

#include <ctype.h>
#include <link.h>
#include <stdio.h>

#define LIBC_PATH "/lib/x86_64-linux-gnu/libc.so.6"
#define LDSO_PATH "/lib64/ld-linux-x86-64.so.2"

#define VT_SHAPE "_ZTVN7fixture5ShapeE"
#define VT_CIRCLE "_ZTVN7fixture6CircleE"
#define VT_HIDDEN "_ZTVN12_GLOBAL__N_16HiddenE"
/* libstdc++ 12 instantiates the control block with allocator<void>,
   older ones with allocator<T>. */
#define VT_INPLACE "_ZTVSt23_Sp_counted_ptr_inplaceIN7fixture6CircleESaIvELN9__gnu_cxx12_Lock_policyE2EE"
#define VT_INPLACE_OLD "_ZTVSt23_Sp_counted_ptr_inplaceIN7fixture6CircleESaIS1_ELN9__gnu_cxx12_Lock_policyE2EE"
#define UNIQUE_COUNT "_ZZN7fixture10live_countEvE5count"

/* Itanium C++ ABI: offset-to-top and RTTI come before the address point,
   to which a vptr points; the virtual functions follow. */
#define VT_ADDRESS_POINT 16
#define VT_SLOT(vt, k) ((vt) + VT_ADDRESS_POINT + 8 * (uint64_t) (k))

/* ---- helpers ---- */

static char *
fixture_path(const char *name)
{
	const char *dir = getenv("FIXTURE_DIR");
	return xasprintf("%s/%s", dir && *dir ? dir : ".", name);
}

static struct elf_file *
open_fixture(const char *name)
{
	char *path = fixture_path(name);
	struct elf_file *f = elfsym_open_path(path);
	if (!f)
		fprintf(stderr, "\ncannot open fixture %s (built by make check)\n", path);
	free(path);
	return f;
}

/* The first "Build ID:" readelf prints for path, malloc'd, or NULL. */
static char *
readelf_build_id(const char *path)
{
	char *cmd = xasprintf("readelf -n '%s' 2>/dev/null", path);
	FILE *p = popen(cmd, "r");
	free(cmd);
	if (!p)
		return NULL;
	char *line = NULL, *id = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, p) > 0) {
		const char *k = strstr(line, "Build ID: ");
		if (!k || id)
			continue;
		k += strlen("Build ID: ");
		size_t n = strspn(k, "0123456789abcdef");
		id = xstrndup(k, n);
	}
	free(line);
	pclose(p);
	return id;
}

/* Defined STB_GNU_UNIQUE symbols in .dynsym, as readelf counts them. */
static long
readelf_unique_count(const char *path)
{
	char *cmd = xasprintf("readelf --dyn-syms -W '%s' 2>/dev/null", path);
	FILE *p = popen(cmd, "r");
	free(cmd);
	if (!p)
		return -1;
	char *line = NULL;
	size_t cap = 0;
	long n = 0;
	while (getline(&line, &cap, p) > 0)
		if (strstr(line, " UNIQUE ") && !strstr(line, " UND "))
			n++;
	free(line);
	return pclose(p) == 0 ? n : -1;
}

static void
check_build_id(struct elf_file *f, const char *path)
{
	const char *id = elfsym_build_id(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(id);
	CU_ASSERT_EQUAL(strlen(id), 40);
	CU_ASSERT_EQUAL(strspn(id, "0123456789abcdef"), strlen(id));
	/* Cached: the same string every time. */
	CU_ASSERT_PTR_EQUAL(elfsym_build_id(f), id);
	char *want = readelf_build_id(path);
	CU_ASSERT_PTR_NOT_NULL(want);
	if (want)
		CU_ASSERT_STRING_EQUAL(id, want);
	free(want);
}

static bool
demangled_has(const char *name, const char *want)
{
	char *d = demangle(name);
	bool ok = d && strstr(d, want);
	if (!ok)
		fprintf(stderr, "\n  wanted \"%s\" in \"%s\"\n", want, d ? d : "(null)");
	free(d);
	return ok;
}

static bool
demangled_starts(const char *name, const char *want)
{
	char *d = demangle(name);
	bool ok = d && strncmp(d, want, strlen(want)) == 0;
	if (!ok)
		fprintf(stderr, "\n  wanted \"%s...\", got \"%s\"\n", want, d ? d : "(null)");
	free(d);
	return ok;
}

/* Every word of a vtable symbolizes to the vtable itself, and nothing
   just past it does. */
static void
check_vtable_symbol(struct elf_file *f, const struct elf_symbol *vt, const char *want)
{
	CU_ASSERT_EQUAL(vt->type, STT_OBJECT);
	CU_ASSERT_TRUE(vt->size >= VT_ADDRESS_POINT + 8);
	CU_ASSERT_TRUE(demangled_starts(vt->name, want));
	for (uint64_t a = vt->value; a < vt->value + vt->size; a += 8) {
		struct elf_symbol s;
		CU_ASSERT_TRUE_FATAL(elfsym_lookup(f, a, &s));
		CU_ASSERT_STRING_EQUAL(s.name, vt->name);
		CU_ASSERT_EQUAL(s.value, vt->value);
		CU_ASSERT_EQUAL(s.size, vt->size);
	}
	struct elf_symbol past;
	if (elfsym_lookup(f, vt->value + vt->size, &past))
		CU_ASSERT_TRUE(strcmp(past.name, vt->name) != 0);
}

/* Slot k of the vtable at vt names a function whose demangled name holds
   want.  A defined target must start exactly where the slot points. */
static void
check_slot(struct elf_file *f, uint64_t vt, unsigned int k, const char *want)
{
	struct elf_symbol s;
	bool ok = elfsym_resolve_word(f, VT_SLOT(vt, k), &s);
	CU_ASSERT_TRUE(ok);
	if (!ok) {
		fprintf(stderr, "\n  slot %u of vtable %#jx: nothing (wanted %s)\n",
			k, (uintmax_t) vt, want);
		return;
	}
	CU_ASSERT_TRUE(demangled_has(s.name, want));
	CU_ASSERT_TRUE(s.type == STT_FUNC);
	CU_ASSERT_NOT_EQUAL(s.value, 0);
	struct elf_symbol at;
	CU_ASSERT_TRUE(elfsym_lookup(f, s.value, &at) && at.value == s.value);
}

struct names {
	size_t n;
	const char *v[64];
};

static void
collect_name(const struct elf_symbol *sym, void *arg)
{
	struct names *names = arg;
	CU_ASSERT_EQUAL(sym->bind, STB_GNU_UNIQUE);
	CU_ASSERT_FALSE(sym->from_symtab);
	if (names->n < sizeof(names->v) / sizeof(names->v[0]))
		names->v[names->n++] = sym->name;
}

static int
copy_file(const char *from, const char *to)
{
	char *cmd = xasprintf("cp '%s' '%s'", from, to);
	int rc = system(cmd);
	free(cmd);
	return rc;
}

static unsigned char *
slurp(const char *path, size_t *size)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, r;
	do {
		buf = xgrow(buf, &cap, n + 65536, 1);
		r = fread(buf + n, 1, cap - n, fp);
		n += r;
	} while (r > 0);
	fclose(fp);
	*size = n;
	return buf;
}

static bool
spew(const char *path, const void *buf, size_t size)
{
	FILE *fp = fopen(path, "wb");
	if (!fp)
		return false;
	bool ok = fwrite(buf, 1, size, fp) == size;
	return fclose(fp) == 0 && ok;
}

static char *
make_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir = xasprintf("%s/test_elfsym.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(dir)) {
		free(dir);
		return NULL;
	}
	return dir;
}

/* ---- the lookup rules, on hand-made tables ---- */

static void
fill_table(struct symtab *t, struct sym *syms, size_t n)
{
	memset(t, 0, sizeof(*t));
	t->loaded = true;
	t->syms = syms;
	t->nsyms = n;
	for (size_t i = 0; i < n; i++)
		syms[i].index = (uint32_t) i + 1;
	/* Sorted by the first lookup. */
}

static const char *
lookup_name(struct symtab *t, uint64_t addr)
{
	const struct sym *s = table_lookup(t, addr);
	return s ? s->name : "";
}

static void
test_rules_lookup(void)
{
	struct sym syms[] = {
		{ .name = "outer", .value = 0x1000, .size = 0x1000, .type = STT_OBJECT, .bind = STB_LOCAL },
		{ .name = "inner", .value = 0x1100, .size = 0x10, .type = STT_OBJECT, .bind = STB_LOCAL },
		{ .name = "label", .value = 0x1100, .size = 0, .type = STT_NOTYPE, .bind = STB_GLOBAL },
		{ .name = "f_local", .value = 0x3000, .size = 0x20, .type = STT_FUNC, .bind = STB_LOCAL },
		{ .name = "f_weak", .value = 0x3000, .size = 0x20, .type = STT_FUNC, .bind = STB_WEAK },
		{ .name = "f_global", .value = 0x3000, .size = 0x20, .type = STT_FUNC, .bind = STB_GLOBAL },
		{ .name = "n_global", .value = 0x3000, .size = 0x20, .type = STT_NOTYPE, .bind = STB_GLOBAL },
		{ .name = "zero", .value = 0x4000, .size = 0, .type = STT_OBJECT, .bind = STB_GLOBAL },
		{ .name = "z_obj", .value = 0x5000, .size = 0, .type = STT_OBJECT, .bind = STB_GLOBAL },
		{ .name = "s_obj", .value = 0x5000, .size = 8, .type = STT_OBJECT, .bind = STB_GLOBAL },
		{ .name = "old@V1", .value = 0x6000, .size = 8, .type = STT_FUNC, .bind = STB_GLOBAL, .hidden = true },
		{ .name = "new@@V2", .value = 0x6000, .size = 8, .type = STT_FUNC, .bind = STB_GLOBAL },
		{ .name = "tls", .value = 0x7000, .size = 8, .type = STT_TLS, .bind = STB_GLOBAL },
	};
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++)
		syms[i].addressable = syms[i].type != STT_TLS;
	struct symtab t;
	fill_table(&t, syms, sizeof(syms) / sizeof(syms[0]));

	/* The smallest containing symbol; a NOTYPE label loses to data. */
	CU_ASSERT_STRING_EQUAL(lookup_name(&t, 0x1100), "inner");
	CU_ASSERT_STRING_EQUAL(lookup_name(&t, 0x110f), "inner");
	CU_ASSERT_STRING_EQUAL(lookup_name(&t, 0x1110), "outer");
	CU_ASSERT_STRING_EQUAL(lookup_name(&t, 0x1000), "outer");
	CU_ASSERT_STRING_EQUAL(lookup_name(&t, 0x1fff), "outer");
	CU_ASSERT_STRING_EQUAL(lookup_name(&t, 0x2000), "");
	CU_ASSERT_STRING_EQUAL(lookup_name(&t, 0xfff), "");
	/* FUNC over NOTYPE, then GLOBAL over WEAK over LOCAL. */
	CU_ASSERT_STRING_EQUAL(lookup_name(&t, 0x3000), "f_global");
	CU_ASSERT_STRING_EQUAL(lookup_name(&t, 0x301f), "f_global");
	CU_ASSERT_STRING_EQUAL(lookup_name(&t, 0x3020), "");
	/* Zero-sized: exactly, or not at all. */
	CU_ASSERT_STRING_EQUAL(lookup_name(&t, 0x4000), "zero");
	CU_ASSERT_STRING_EQUAL(lookup_name(&t, 0x4001), "");
	CU_ASSERT_STRING_EQUAL(lookup_name(&t, 0x5000), "s_obj");
	CU_ASSERT_STRING_EQUAL(lookup_name(&t, 0x5004), "s_obj");
	/* The default version of an alias pair. */
	CU_ASSERT_STRING_EQUAL(lookup_name(&t, 0x6004), "new@@V2");
	/* TLS offsets are not addresses. */
	CU_ASSERT_STRING_EQUAL(lookup_name(&t, 0x7000), "");
	free(t.by_addr);

	/* One symbol spanning all others: the backward walk must still reach
	   it from the far end, and still prefer the small ones. */
	enum { N = 2000 };
	struct sym *many = xcalloc(N + 1, sizeof(*many));
	char (*names)[16] = xcalloc(N, sizeof(*names));
	for (size_t i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "small%zu", i);
		many[i] = (struct sym) { .name = names[i], .value = 0x10000 + 0x10 * i,
			.size = 8, .type = STT_OBJECT, .bind = STB_LOCAL, .addressable = true };
	}
	many[N] = (struct sym) { .name = "huge", .value = 0, .size = 0x100000,
		.type = STT_OBJECT, .bind = STB_LOCAL, .addressable = true };
	fill_table(&t, many, N + 1);
	CU_ASSERT_STRING_EQUAL(lookup_name(&t, 0x10004), "small0");
	CU_ASSERT_STRING_EQUAL(lookup_name(&t, 0x1000c), "huge");
	CU_ASSERT_STRING_EQUAL(lookup_name(&t, 0x10000 + 0x10 * (N - 1)), "small1999");
	CU_ASSERT_STRING_EQUAL(lookup_name(&t, 0xfffff), "huge");
	CU_ASSERT_STRING_EQUAL(lookup_name(&t, 0x100000), "");
	free(t.by_addr);
	free(many);
	free(names);
}

static void
test_rules_find(void)
{
	struct sym syms[] = {
		{ .name = "memcpy@GLIBC_2.2.5", .value = 0x100, .bind = STB_GLOBAL, .hidden = true },
		{ .name = "memcpy_chk", .value = 0x300, .bind = STB_GLOBAL },
		{ .name = "memcpy@@GLIBC_2.14", .value = 0x200, .bind = STB_GLOBAL },
		{ .name = "memcp", .value = 0x400, .bind = STB_GLOBAL },
		{ .name = "memcpy.cold", .value = 0x500, .bind = STB_LOCAL },
		{ .name = "dup", .value = 0x600, .bind = STB_LOCAL },
		{ .name = "dup", .value = 0x700, .bind = STB_WEAK },
	};
	struct symtab t;
	fill_table(&t, syms, sizeof(syms) / sizeof(syms[0]));

	const struct sym *s = table_find(&t, "memcpy");
	CU_ASSERT_TRUE(s && s->value == 0x200);
	s = table_find(&t, "memcp");
	CU_ASSERT_TRUE(s && s->value == 0x400);
	s = table_find(&t, "memcpy_chk");
	CU_ASSERT_TRUE(s && s->value == 0x300);
	s = table_find(&t, "memcpy.cold");
	CU_ASSERT_TRUE(s && s->value == 0x500);
	s = table_find(&t, "dup");
	CU_ASSERT_TRUE(s && s->value == 0x700);
	CU_ASSERT_PTR_NULL(table_find(&t, "memcpz"));
	CU_ASSERT_PTR_NULL(table_find(&t, "mem"));
	CU_ASSERT_PTR_NULL(table_find(&t, "zzz"));
	CU_ASSERT_PTR_NULL(table_find(&t, "a"));
	free(t.by_addr);
	free(t.by_name);
}

/* ---- the system's libc and ld.so ---- */

static void
test_libc(void)
{
	struct elf_file *f = elfsym_open_path(LIBC_PATH);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_STRING_EQUAL(elfsym_path(f), LIBC_PATH);
	CU_ASSERT_TRUE(elfsym_is_dyn(f));
	const char *soname = elfsym_soname(f);
	CU_ASSERT_TRUE(soname && strcmp(soname, "libc.so.6") == 0);
	CU_ASSERT_FALSE(elfsym_has_nodelete(f));

	/* Two versions of each at one address since glibc 2.34. */
	struct elf_symbol dlclose_sym, dlopen_sym, s;
	CU_ASSERT_TRUE_FATAL(elfsym_find(f, "dlclose", &dlclose_sym));
	CU_ASSERT_STRING_EQUAL(dlclose_sym.name, "dlclose");
	CU_ASSERT_NOT_EQUAL(dlclose_sym.value, 0);
	CU_ASSERT_EQUAL(dlclose_sym.type, STT_FUNC);
	CU_ASSERT_EQUAL(dlclose_sym.bind, STB_GLOBAL);
	CU_ASSERT_TRUE_FATAL(elfsym_find(f, "dlopen", &dlopen_sym));
	CU_ASSERT_NOT_EQUAL(dlopen_sym.value, 0);
	CU_ASSERT_EQUAL(dlopen_sym.type, STT_FUNC);
	CU_ASSERT_NOT_EQUAL(dlopen_sym.value, dlclose_sym.value);

	CU_ASSERT_TRUE_FATAL(elfsym_lookup(f, dlclose_sym.value + 3, &s));
	CU_ASSERT_EQUAL(s.value, dlclose_sym.value);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.name, "dlclose"));
	CU_ASSERT_TRUE(elfsym_lookup(f, dlopen_sym.value + dlopen_sym.size - 1, &s) &&
		       s.value == dlopen_sym.value);

	/* memcpy@GLIBC_2.2.5 is a plain function; the default version,
	   memcpy@@GLIBC_2.14, is the ifunc at another address. */
	CU_ASSERT_TRUE(elfsym_find(f, "memcpy", &s) && s.type == STT_GNU_IFUNC);
	/* The allocator: libc.so.6 defines malloc in .dynsym. */
	CU_ASSERT_TRUE(elfsym_find_dynamic(f, "malloc", &s) && s.type == STT_FUNC &&
		       !s.from_symtab);

	CU_ASSERT_FALSE(elfsym_find(f, "no_such_symbol_in_libc", &s));
	CU_ASSERT_FALSE(elfsym_find(f, "", &s));
	CU_ASSERT_FALSE(elfsym_lookup(f, UINT64_MAX - 8, &s));

	/* File offsets map to vaddrs through PT_LOAD, including the
	   page-aligned offset of a maps line below a segment that does not
	   start on a page. */
	size_t nsegs;
	const struct elf_segment *segs = elfsym_segments(f, &nsegs);
	CU_ASSERT_TRUE_FATAL(nsegs >= 2);
	for (size_t i = 0; i < nsegs; i++) {
		uint64_t v;
		if (!segs[i].filesz)
			continue;
		CU_ASSERT_TRUE(elfsym_offset_to_vaddr(f, segs[i].offset, &v) &&
			       v == segs[i].vaddr);
		CU_ASSERT_TRUE(elfsym_offset_to_vaddr(f, segs[i].offset + segs[i].filesz - 1, &v) &&
			       v == segs[i].vaddr + segs[i].filesz - 1);
	}
	for (size_t i = 0; i < nsegs; i++) {
		if (!(segs[i].flags & PF_W) || !(segs[i].offset & 0xfff))
			continue;
		uint64_t v, page = segs[i].offset & ~(uint64_t) 0xfff;
		CU_ASSERT_TRUE(elfsym_offset_to_vaddr(f, page, &v) &&
			       v == segs[i].vaddr - (segs[i].offset - page));
	}
	uint64_t v;
	CU_ASSERT_FALSE(elfsym_offset_to_vaddr(f, UINT64_MAX - 4096, &v));

	check_build_id(f, LIBC_PATH);
	elfsym_close(f);
}

/* This process's own libc: its load bias. */
static int
find_libc(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void) size;
	if (info->dlpi_name && strstr(info->dlpi_name, "libc.so.6")) {
		*(uint64_t *) arg = info->dlpi_addr;
		return 1;
	}
	return 0;
}

/* The headers objcache compares with the mapped ones, checked on this
   very process's libc. */
static void
test_libc_head(void)
{
	uint64_t bias = 0;
	CU_ASSERT_FATAL(dl_iterate_phdr(find_libc, &bias) == 1);
	struct elf_file *f = elfsym_open_path(LIBC_PATH);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	uint64_t v0 = 1;
	size_t n = elfsym_head_span(f, &v0);
	/* ELF header, program headers and the build-id note at least. */
	CU_ASSERT(n > sizeof(Elf64_Ehdr) && n <= 4096);
	CU_ASSERT_EQUAL(v0, 0);
	unsigned char file[4096], mem[4096];
	CU_ASSERT_FATAL(pread(elfsym_fd(f), file, n, 0) == (ssize_t) n);
	CU_ASSERT_FATAL(mem_read(getpid(), bias + v0, mem, n));
	CU_ASSERT(memcmp(file, mem, n) == 0);
	elfsym_close(f);
}

static void
test_ldso(void)
{
	struct elf_file *f = elfsym_open_path(LDSO_PATH);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct elf_symbol state, r_debug, s;
	CU_ASSERT_TRUE_FATAL(elfsym_find(f, "_dl_debug_state", &state));
	CU_ASSERT_EQUAL(state.type, STT_FUNC);
	CU_ASSERT_NOT_EQUAL(state.value, 0);
	CU_ASSERT_TRUE_FATAL(elfsym_find(f, "_r_debug", &r_debug));
	CU_ASSERT_EQUAL(r_debug.type, STT_OBJECT);
	CU_ASSERT_NOT_EQUAL(r_debug.value, 0);
	CU_ASSERT_TRUE(r_debug.size >= 40);	/* struct r_debug */

	CU_ASSERT_TRUE(elfsym_lookup(f, state.value, &s) &&
		       strcmp(s.name, "_dl_debug_state") == 0);
	CU_ASSERT_TRUE(elfsym_lookup(f, r_debug.value + 8, &s) &&
		       strcmp(s.name, "_r_debug") == 0);
	const char *soname = elfsym_soname(f);
	CU_ASSERT_TRUE(soname && strcmp(soname, "ld-linux-x86-64.so.2") == 0);
	check_build_id(f, LDSO_PATH);
	elfsym_close(f);
}

/* ---- C++ fixtures: vtables, slots, unique symbols ---- */

static void
check_vtable_fixture(const char *lib, bool gnu_unique)
{
	struct elf_file *f = open_fixture(lib);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct elf_symbol vt, s;

	CU_ASSERT_TRUE(elfsym_is_dyn(f));
	const char *soname = elfsym_soname(f);
	CU_ASSERT_TRUE(soname && strcmp(soname, lib) == 0);
	CU_ASSERT_FALSE(elfsym_has_nodelete(f));

	/* An exported class: vtable in .dynsym, slots relocated against the
	   (interposable) member functions by name. */
	CU_ASSERT_TRUE_FATAL(elfsym_find(f, VT_CIRCLE, &vt));
	CU_ASSERT_FALSE(vt.from_symtab);
	check_vtable_symbol(f, &vt, "vtable for fixture::Circle");
	check_slot(f, vt.value, 0, "fixture::Circle::~Circle()");
	check_slot(f, vt.value, 1, "fixture::Circle::~Circle()");
	check_slot(f, vt.value, 2, "fixture::Circle::area() const");
	check_slot(f, vt.value, 3, "fixture::Circle::name() const");
	/* The RTTI word before the address point. */
	CU_ASSERT_TRUE(elfsym_resolve_word(f, vt.value + 8, &s) &&
		       demangled_has(s.name, "typeinfo for fixture::Circle"));
	/* Offset-to-top is 0: no address. */
	CU_ASSERT_FALSE(elfsym_resolve_word(f, vt.value, &s));

	/* A pure virtual slot points into the C++ runtime. */
	CU_ASSERT_TRUE_FATAL(elfsym_find(f, VT_SHAPE, &vt));
	check_vtable_symbol(f, &vt, "vtable for fixture::Shape");
	CU_ASSERT_TRUE(elfsym_resolve_word(f, VT_SLOT(vt.value, 2), &s) &&
		       strcmp(s.name, "__cxa_pure_virtual") == 0 && s.value == 0);
	check_slot(f, vt.value, 3, "fixture::Shape::name() const");

	/* The shared_ptr control block from std::make_shared. */
	if (!elfsym_find(f, VT_INPLACE, &vt))
		CU_ASSERT_TRUE_FATAL(elfsym_find(f, VT_INPLACE_OLD, &vt));
	check_vtable_symbol(f, &vt, "vtable for std::_Sp_counted_ptr_inplace<fixture::Circle,");
	CU_ASSERT_TRUE(elfsym_lookup(f, vt.value + 0x28, &s) && strcmp(s.name, vt.name) == 0);
	check_slot(f, vt.value, 0, ">::~_Sp_counted_ptr_inplace()");
	check_slot(f, vt.value, 1, ">::~_Sp_counted_ptr_inplace()");
	check_slot(f, vt.value, 2, ">::_M_dispose()");
	check_slot(f, vt.value, 3, ">::_M_destroy()");
	check_slot(f, vt.value, 4, ">::_M_get_deleter(std::type_info const&)");

	/* A class in an anonymous namespace: LOCAL, only in .symtab, slots
	   relocated R_X86_64_RELATIVE to LOCAL functions. */
	CU_ASSERT_TRUE_FATAL(elfsym_find(f, VT_HIDDEN, &vt));
	CU_ASSERT_TRUE(vt.from_symtab);
	CU_ASSERT_EQUAL(vt.bind, STB_LOCAL);
	CU_ASSERT_TRUE(elfsym_lookup(f, VT_SLOT(vt.value, 0), &s) && s.from_symtab &&
		       strcmp(s.name, VT_HIDDEN) == 0);
	check_vtable_symbol(f, &vt, "vtable for (anonymous namespace)::Hidden");
	check_slot(f, vt.value, 0, "(anonymous namespace)::Hidden::~Hidden()");
	check_slot(f, vt.value, 1, "(anonymous namespace)::Hidden::~Hidden()");
	check_slot(f, vt.value, 2, "(anonymous namespace)::Hidden::area() const");
	check_slot(f, vt.value, 3, "(anonymous namespace)::Hidden::name() const");
	CU_ASSERT_TRUE(elfsym_resolve_word(f, VT_SLOT(vt.value, 2), &s) &&
		       s.from_symtab && s.bind == STB_LOCAL);

	/* Functions by address, from the start to the last byte. */
	CU_ASSERT_TRUE_FATAL(elfsym_find(f, "_ZNK7fixture6Circle4areaEv", &s));
	struct elf_symbol t;
	CU_ASSERT_TRUE(elfsym_lookup(f, s.value + s.size - 1, &t) && t.value == s.value);

	/* Zero-sized symbols match only their own address. */
	if (elfsym_find(f, "_DYNAMIC", &s)) {
		CU_ASSERT_EQUAL(s.size, 0);
		CU_ASSERT_TRUE(elfsym_lookup(f, s.value, &t) && strcmp(t.name, "_DYNAMIC") == 0);
		CU_ASSERT_FALSE(elfsym_lookup(f, s.value + 8, &t) &&
				strcmp(t.name, "_DYNAMIC") == 0);
	}

	/* STB_GNU_UNIQUE: what keeps a g++ plugin mapped after dlclose. */
	char *path = fixture_path(lib);
	struct names names = { 0 };
	size_t n = elfsym_for_each_unique(f, collect_name, &names);
	CU_ASSERT_EQUAL(n, names.n);
	CU_ASSERT_EQUAL((long) n, readelf_unique_count(path));
	CU_ASSERT_EQUAL(elfsym_for_each_unique(f, NULL, NULL), n);
	CU_ASSERT_TRUE_FATAL(elfsym_find(f, UNIQUE_COUNT, &s));
	if (gnu_unique) {
		CU_ASSERT_TRUE(n >= 1);
		CU_ASSERT_EQUAL(s.bind, STB_GNU_UNIQUE);
		bool seen = false;
		for (size_t i = 0; i < names.n; i++)
			seen |= strcmp(names.v[i], UNIQUE_COUNT) == 0;
		CU_ASSERT_TRUE(seen);
	} else {
		CU_ASSERT_EQUAL(n, 0);
		CU_ASSERT_NOT_EQUAL(s.bind, STB_GNU_UNIQUE);
	}

	check_build_id(f, path);
	free(path);
	elfsym_close(f);
}

static void
test_vtable_gcc(void)
{
	check_vtable_fixture("libfixture_vtable_gcc.so", true);
}

static void
test_vtable_clang(void)
{
	check_vtable_fixture("libfixture_vtable_clang.so", false);
}

#ifndef SHT_RELR
# define SHT_RELR 19
#endif

/* Packed relative relocations: the slots of local functions have no RELA
   entry, and the word in the file is the answer. */
static void
test_vtable_relr(void)
{
	struct elf_file *f = open_fixture("libfixture_vtable_relr.so");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	bool relr = false;
	for (size_t i = 1; i < f->shnum; i++)
		relr |= f->shdrs[i].sh_type == SHT_RELR;
	CU_ASSERT_TRUE(relr);
	struct elf_symbol vt;
	CU_ASSERT_TRUE_FATAL(elfsym_find(f, VT_HIDDEN, &vt));
	CU_ASSERT_PTR_NULL(reloc_at(f, VT_SLOT(vt.value, 2)));
	elfsym_close(f);

	check_vtable_fixture("libfixture_vtable_relr.so", true);
}

/* ---- C fixtures: an ops table, NODELETE, a non-PIE executable ---- */

static void
check_ops_table(struct elf_file *f)
{
	struct elf_symbol table, s, want;
	CU_ASSERT_TRUE_FATAL(elfsym_find(f, "fixture_ops_table", &table));
	CU_ASSERT_EQUAL(table.type, STT_OBJECT);
	CU_ASSERT_EQUAL(table.size, 32);

	static const char *const slots[] = { "ops_open", "ops_close", "fixture_ops_hook" };
	for (size_t k = 0; k < 3; k++) {
		CU_ASSERT_TRUE_FATAL(elfsym_find(f, slots[k], &want));
		CU_ASSERT_TRUE(elfsym_resolve_word(f, table.value + 8 * k, &s) &&
			       strcmp(s.name, slots[k]) == 0 && s.value == want.value &&
			       s.type == STT_FUNC);
	}
	/* Static functions exist only in .symtab. */
	CU_ASSERT_TRUE(elfsym_resolve_word(f, table.value, &s) && s.from_symtab &&
		       s.bind == STB_LOCAL);
}

static void
test_ops_shared(void)
{
	struct elf_file *f = open_fixture("libfixture_ops.so");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_TRUE(elfsym_is_dyn(f));
	CU_ASSERT_TRUE(elfsym_has_nodelete(f));
	const char *soname = elfsym_soname(f);
	CU_ASSERT_TRUE(soname && strcmp(soname, "libfixture_ops.so") == 0);
	CU_ASSERT_EQUAL(elfsym_for_each_unique(f, NULL, NULL), 0);
	check_ops_table(f);
	/* The exported function's slot goes through .dynsym by name. */
	struct elf_symbol table, s;
	CU_ASSERT_TRUE_FATAL(elfsym_find(f, "fixture_ops_table", &table));
	CU_ASSERT_TRUE(elfsym_resolve_word(f, table.value + 16, &s) && !s.from_symtab &&
		       s.bind == STB_GLOBAL);
	/* .dynsym only: an exported symbol is found, a static function (in
	   .symtab) and an undefined one (malloc, from libc) are not. */
	CU_ASSERT_TRUE(elfsym_find_dynamic(f, "fixture_ops_table", &s) &&
		       s.value == table.value && !s.from_symtab);
	CU_ASSERT_TRUE(elfsym_find(f, "ops_open", &s) && s.from_symtab);
	CU_ASSERT_FALSE(elfsym_find_dynamic(f, "ops_open", &s));
	CU_ASSERT_FALSE(elfsym_find_dynamic(f, "malloc", &s));
	CU_ASSERT_FALSE(elfsym_find_dynamic(f, "", &s));
	elfsym_close(f);
}

static void
test_ops_exec(void)
{
	/* No relocation at all: the words come from the file. */
	struct elf_file *f = open_fixture("fixture_ops_exec");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_FALSE(elfsym_is_dyn(f));
	CU_ASSERT_FALSE(elfsym_has_nodelete(f));
	CU_ASSERT_PTR_NULL(elfsym_soname(f));
	check_ops_table(f);
	struct elf_symbol s;
	CU_ASSERT_TRUE(elfsym_find(f, "main", &s) && s.type == STT_FUNC);
	elfsym_close(f);
}

/* ---- opening: what is refused, who owns the descriptor ---- */

static bool
fd_is_closed(int fd)
{
	return fcntl(fd, F_GETFD) == -1 && errno == EBADF;
}

static void
test_open_rejects(void)
{
	CU_ASSERT_PTR_NULL(elfsym_open_path("/nonexistent/libnothing.so"));
	CU_ASSERT_PTR_NULL(elfsym_open_path("/"));
	CU_ASSERT_PTR_NULL(elfsym_open_path("/dev/null"));
	CU_ASSERT_PTR_NULL(elfsym_open_path("/dev/zero"));
	CU_ASSERT_PTR_NULL(elfsym_open_path("/usr/lib/x86_64-linux-gnu/libc_nonshared.a"));

	int fd = open("/dev/null", O_RDONLY);
	CU_ASSERT_TRUE_FATAL(fd >= 0);
	CU_ASSERT_PTR_NULL(elfsym_open_fd(fd, "/dev/null"));
	CU_ASSERT_TRUE(fd_is_closed(fd));

	char *dir = make_tmpdir();
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	char *path = xasprintf("%s/file", dir);

	CU_ASSERT_TRUE(spew(path, "", 0));
	CU_ASSERT_PTR_NULL(elfsym_open_path(path));
	CU_ASSERT_TRUE(spew(path, "#!/bin/sh\necho not ELF\n", 23));
	CU_ASSERT_PTR_NULL(elfsym_open_path(path));

	/* A 32-bit ELF header is refused, not misread. */
	Elf32_Ehdr eh32 = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS32,
			     ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_DYN, .e_machine = EM_386, .e_version = EV_CURRENT,
		.e_ehsize = sizeof(Elf32_Ehdr),
	};
	CU_ASSERT_TRUE(spew(path, &eh32, sizeof(eh32)));
	CU_ASSERT_PTR_NULL(elfsym_open_path(path));

	/* On success the descriptor belongs to the elf_file until closed. */
	char *lib = fixture_path("libfixture_ops.so");
	fd = open(lib, O_RDONLY | O_CLOEXEC);
	CU_ASSERT_TRUE_FATAL(fd >= 0);
	struct elf_file *f = elfsym_open_fd(fd, "plugin (display name)");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_STRING_EQUAL(elfsym_path(f), "plugin (display name)");
	CU_ASSERT_FALSE(fd_is_closed(fd));
	elfsym_close(f);
	CU_ASSERT_TRUE(fd_is_closed(fd));
	elfsym_close(NULL);

	unlink(path);
	rmdir(dir);
	free(lib);
	free(path);
	free(dir);
}

/* A plugin deleted or rebuilt on disk after it was opened is still read as
   it was; one truncated in place just stops answering. */
static void
test_deleted_and_replaced(void)
{
	char *gcc = fixture_path("libfixture_vtable_gcc.so");
	char *clang = fixture_path("libfixture_vtable_clang.so");
	char *dir = make_tmpdir();
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	char *path = xasprintf("%s/libplugin.so", dir);
	struct elf_symbol orig_hidden, s;

	struct elf_file *ref = elfsym_open_path(gcc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
	CU_ASSERT_TRUE_FATAL(elfsym_find(ref, VT_HIDDEN, &orig_hidden));
	char *orig_id = xstrdup(elfsym_build_id(ref));
	elfsym_close(ref);

	/* Rebuilt: a new file under the old name (what ld and install do). */
	CU_ASSERT_EQUAL_FATAL(copy_file(gcc, path), 0);
	struct elf_file *f = elfsym_open_path(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(unlink(path), 0);
	CU_ASSERT_EQUAL(copy_file(clang, path), 0);
	/* Nothing but the headers has been read yet. */
	CU_ASSERT_TRUE(elfsym_find(f, VT_HIDDEN, &s) && s.value == orig_hidden.value);
	CU_ASSERT_TRUE(elfsym_build_id(f) && strcmp(elfsym_build_id(f), orig_id) == 0);
	CU_ASSERT_TRUE(elfsym_resolve_word(f, VT_SLOT(s.value, 2), &s) &&
		       demangled_has(s.name, "Hidden::area() const"));
	elfsym_close(f);

	/* Overwritten in place (cp over it): the same inode shrinks. */
	f = elfsym_open_path(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(truncate(path, 200), 0);
	CU_ASSERT_FALSE(elfsym_find(f, VT_HIDDEN, &s));
	CU_ASSERT_FALSE(elfsym_resolve_word(f, VT_SLOT(orig_hidden.value, 2), &s));
	CU_ASSERT_PTR_NULL(elfsym_build_id(f));
	CU_ASSERT_FALSE(elfsym_lookup(f, orig_hidden.value, &s));
	elfsym_close(f);

	unlink(path);
	rmdir(dir);
	free(orig_id);
	free(path);
	free(dir);
	free(clang);
	free(gcc);
}

/* ---- corrupted files ---- */

static const char *const probe_names[] = {
	VT_CIRCLE, VT_SHAPE, VT_HIDDEN, VT_INPLACE, UNIQUE_COUNT,
	"_ZNK7fixture6Circle4areaEv", "_DYNAMIC", "__cxa_pure_virtual", "",
};

/* Addresses worth asking about in the fixture: each vtable word, each
   function's start and middle. */
struct probe {
	size_t n;
	uint64_t addr[128];
};

static void
probe_add(struct probe *p, uint64_t a)
{
	if (p->n < sizeof(p->addr) / sizeof(p->addr[0]))
		p->addr[p->n++] = a;
}

static void
probe_build(struct elf_file *f, struct probe *p)
{
	memset(p, 0, sizeof(*p));
	struct elf_symbol vt, s;
	static const char *const vts[] = { VT_CIRCLE, VT_SHAPE, VT_HIDDEN, VT_INPLACE };
	for (size_t i = 0; i < sizeof(vts) / sizeof(vts[0]); i++) {
		if (!elfsym_find(f, vts[i], &vt))
			continue;
		for (uint64_t a = vt.value; a < vt.value + vt.size; a += 8) {
			probe_add(p, a);
			if (elfsym_resolve_word(f, a, &s) && s.value) {
				probe_add(p, s.value);
				probe_add(p, s.value + s.size / 2);
			}
		}
	}
	probe_add(p, 0);
	probe_add(p, UINT64_MAX);
	probe_add(p, UINT64_MAX - 7);
}

static volatile size_t sink;

static void
touch_symbol(const struct elf_symbol *s, void *arg)
{
	(void) arg;
	if (s->name)
		sink += strlen(s->name);
}

/* Everything the tool may ask of a file; names must be real strings. */
static void
exercise(struct elf_file *f, const struct probe *p)
{
	struct elf_symbol s;
	sink += strlen(elfsym_path(f));
	const char *id = elfsym_build_id(f);
	if (id)
		sink += strlen(id);
	sink += elfsym_is_dyn(f);
	size_t nsegs;
	const struct elf_segment *segs = elfsym_segments(f, &nsegs);
	for (size_t i = 0; i < nsegs; i++) {
		uint64_t v;
		sink += elfsym_offset_to_vaddr(f, segs[i].offset, &v);
		sink += elfsym_offset_to_vaddr(f, segs[i].offset + segs[i].filesz / 2, &v);
		sink += elfsym_offset_to_vaddr(f, segs[i].offset & ~(uint64_t) 0xfff, &v);
	}
	for (size_t i = 0; i < sizeof(probe_names) / sizeof(probe_names[0]); i++)
		if (elfsym_find(f, probe_names[i], &s))
			touch_symbol(&s, NULL);
	for (size_t i = 0; i < p->n; i++) {
		if (elfsym_lookup(f, p->addr[i], &s))
			touch_symbol(&s, NULL);
		if (elfsym_resolve_word(f, p->addr[i], &s))
			touch_symbol(&s, NULL);
	}
	sink += elfsym_for_each_unique(f, touch_symbol, NULL);
	sink += elfsym_has_nodelete(f);
	const char *soname = elfsym_soname(f);
	if (soname)
		sink += strlen(soname);
}

/* Write buf to path, open it and put it through everything. */
static struct elf_file *
write_and_open(const char *path, const unsigned char *buf, size_t size,
	       const struct probe *p)
{
	CU_ASSERT_TRUE_FATAL(spew(path, buf, size));
	struct elf_file *f = elfsym_open_path(path);
	if (f)
		exercise(f, p);
	return f;
}

/* The same, then close it; whether it opened at all. */
static bool
try_file(const char *path, const unsigned char *buf, size_t size,
	 const struct probe *p)
{
	struct elf_file *f = write_and_open(path, buf, size, p);
	elfsym_close(f);
	return f != NULL;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rng(void)
{
	/* xorshift64*: the same sequence everywhere, whatever libc. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

struct region {
	size_t off, len;
};

/* The corruption tests edit the fixture through its headers: make sure
   they are where the edits will look. */
static bool
headers_sane(const unsigned char *buf, size_t size)
{
	Elf64_Ehdr eh;
	if (size < sizeof(eh))
		return false;
	memcpy(&eh, buf, sizeof(eh));
	return eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_shnum &&
	       eh.e_shentsize == sizeof(Elf64_Shdr) &&
	       eh.e_phentsize == sizeof(Elf64_Phdr) &&
	       eh.e_shoff <= size && (size - eh.e_shoff) / sizeof(Elf64_Shdr) >= eh.e_shnum &&
	       eh.e_phoff <= size && (size - eh.e_phoff) / sizeof(Elf64_Phdr) >= eh.e_phnum;
}

/* Parts of the (trusted) original where damage reaches the parsers. */
static size_t
regions_of(const unsigned char *buf, size_t size, struct region *r, size_t max)
{
	size_t n = 0;
	Elf64_Ehdr eh;
	memcpy(&eh, buf, sizeof(eh));
	r[n++] = (struct region) { 0, sizeof(eh) + (size_t) eh.e_phnum * sizeof(Elf64_Phdr) };
	r[n++] = (struct region) { eh.e_shoff, (size_t) eh.e_shnum * sizeof(Elf64_Shdr) };
	r[n++] = (struct region) { 0, size };
	for (size_t i = 1; i < eh.e_shnum && n < max; i++) {
		Elf64_Shdr sh;
		memcpy(&sh, buf + eh.e_shoff + i * sizeof(sh), sizeof(sh));
		switch (sh.sh_type) {
		case SHT_SYMTAB:
		case SHT_DYNSYM:
		case SHT_STRTAB:
		case SHT_RELA:
		case SHT_DYNAMIC:
		case SHT_NOTE:
		case SHT_GNU_versym:
			r[n++] = (struct region) { sh.sh_offset, sh.sh_size };
			break;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (r[i].off > size || r[i].len > size - r[i].off || !r[i].len)
			r[i] = (struct region) { 0, size };
	return n;
}

static Elf64_Shdr *
shdr_of(unsigned char *buf, size_t i)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *) buf;
	return (Elf64_Shdr *) (buf + eh->e_shoff + i * sizeof(Elf64_Shdr));
}

static size_t
section_of_type(unsigned char *buf, Elf64_Word type)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *) buf;
	for (size_t i = 1; i < eh->e_shnum; i++)
		if (shdr_of(buf, i)->sh_type == type)
			return i;
	return 0;
}

static void
test_corrupt_truncated(void)
{
	char *lib = fixture_path("libfixture_vtable_gcc.so");
	size_t size;
	unsigned char *orig = slurp(lib, &size);
	CU_ASSERT_PTR_NOT_NULL_FATAL(orig);
	CU_ASSERT_TRUE_FATAL(size > 4096);
	struct elf_file *f = elfsym_open_path(lib);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct probe p;
	probe_build(f, &p);
	elfsym_close(f);

	char *dir = make_tmpdir();
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	char *path = xasprintf("%s/truncated.so", dir);
	size_t lengths[] = { 0, 1, 4, 16, 52, 63, 64, 65, 200, 1000, 4096,
			     size / 4, size / 2, 3 * size / 4, size - 4096, size - 64,
			     size - 1 };
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		bool opened = try_file(path, orig, lengths[i], &p);
		if (lengths[i] < sizeof(Elf64_Ehdr))
			CU_ASSERT_FALSE(opened);
	}
	/* And every 97th length, for the edges in between. */
	for (size_t len = 0; len < size; len += 97)
		try_file(path, orig, len, &p);

	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
	free(orig);
	free(lib);
}

static void
test_corrupt_targeted(void)
{
	char *lib = fixture_path("libfixture_vtable_gcc.so");
	size_t size;
	unsigned char *orig = slurp(lib, &size);
	CU_ASSERT_PTR_NOT_NULL_FATAL(orig);
	CU_ASSERT_TRUE_FATAL(headers_sane(orig, size));
	struct elf_file *f = elfsym_open_path(lib);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct probe p;
	probe_build(f, &p);
	char *orig_id = xstrdup(elfsym_build_id(f));
	elfsym_close(f);

	char *dir = make_tmpdir();
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	char *path = xasprintf("%s/corrupt.so", dir);
	unsigned char *buf = xmalloc(size);
	Elf64_Ehdr *eh = (Elf64_Ehdr *) buf;
	struct elf_symbol s;
	const char *str;

	size_t symtab = section_of_type(orig, SHT_SYMTAB);
	size_t dynsym = section_of_type(orig, SHT_DYNSYM);
	size_t rela = section_of_type(orig, SHT_RELA);
	size_t dynamic = section_of_type(orig, SHT_DYNAMIC);
	CU_ASSERT_TRUE_FATAL(symtab && dynsym && rela && dynamic);

	/* No section headers at all: symbols are gone, but the build-id and
	   the dynamic section are still found through the program headers. */
	memcpy(buf, orig, size);
	memset(buf + eh->e_shoff, 0, (size_t) eh->e_shnum * sizeof(Elf64_Shdr));
	f = write_and_open(path, buf, size, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_FALSE(elfsym_find(f, VT_CIRCLE, &s));
	CU_ASSERT_TRUE((str = elfsym_build_id(f)) && strcmp(str, orig_id) == 0);
	CU_ASSERT_TRUE((str = elfsym_soname(f)) &&
		       strcmp(str, "libfixture_vtable_gcc.so") == 0);
	CU_ASSERT_FALSE(elfsym_has_nodelete(f));
	elfsym_close(f);

	/* Section header table past the end of the file. */
	memcpy(buf, orig, size);
	eh->e_shoff = size + 4096;
	f = write_and_open(path, buf, size, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_TRUE((str = elfsym_build_id(f)) && strcmp(str, orig_id) == 0);
	elfsym_close(f);
	eh->e_shoff = UINT64_MAX - 32;
	try_file(path, buf, size, &p);

	/* .symtab unusable: its entry size 0, or wrong; its string table
	   out of range; its size past the file.  .dynsym still answers. */
	Elf64_Xword bad_entsize[] = { 0, 1, 16, 25, UINT64_MAX };
	for (size_t i = 0; i < sizeof(bad_entsize) / sizeof(bad_entsize[0]); i++) {
		memcpy(buf, orig, size);
		shdr_of(buf, symtab)->sh_entsize = bad_entsize[i];
		f = write_and_open(path, buf, size, &p);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_FALSE(elfsym_find(f, VT_HIDDEN, &s));
		CU_ASSERT_TRUE(elfsym_find(f, VT_CIRCLE, &s) && !s.from_symtab);
		elfsym_close(f);
	}
	Elf64_Word bad_link[] = { 0, (Elf64_Word) symtab, (Elf64_Word) rela, 0xffff, UINT32_MAX };
	for (size_t i = 0; i < sizeof(bad_link) / sizeof(bad_link[0]); i++) {
		memcpy(buf, orig, size);
		shdr_of(buf, symtab)->sh_link = bad_link[i];
		f = write_and_open(path, buf, size, &p);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_FALSE(elfsym_find(f, VT_HIDDEN, &s));
		elfsym_close(f);
	}
	Elf64_Xword bad_size[] = { size, 4 * (Elf64_Xword) size, UINT64_MAX - 23, 23 };
	for (size_t i = 0; i < sizeof(bad_size) / sizeof(bad_size[0]); i++) {
		memcpy(buf, orig, size);
		shdr_of(buf, symtab)->sh_size = bad_size[i];
		try_file(path, buf, size, &p);
		shdr_of(buf, symtab)->sh_offset = size - 8;
		try_file(path, buf, size, &p);
	}

	/* .dynsym broken, .symtab still answers (from_symtab). */
	memcpy(buf, orig, size);
	shdr_of(buf, dynsym)->sh_entsize = 0;
	f = write_and_open(path, buf, size, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_TRUE(elfsym_find(f, VT_CIRCLE, &s) && s.from_symtab);
	CU_ASSERT_EQUAL(elfsym_for_each_unique(f, NULL, NULL), 0);
	elfsym_close(f);

	/* Every st_name past the string table; every size absurd. */
	memcpy(buf, orig, size);
	Elf64_Shdr *sh = shdr_of(buf, symtab);
	for (size_t i = 0; i < sh->sh_size / sizeof(Elf64_Sym); i++) {
		Elf64_Sym *sym = (Elf64_Sym *) (buf + sh->sh_offset) + i;
		sym->st_name = (i & 1) ? UINT32_MAX : (Elf64_Word) shdr_of(buf, sh->sh_link)->sh_size;
	}
	f = write_and_open(path, buf, size, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_FALSE(elfsym_find(f, VT_HIDDEN, &s));
	elfsym_close(f);
	memcpy(buf, orig, size);
	sh = shdr_of(buf, dynsym);
	for (size_t i = 0; i < sh->sh_size / sizeof(Elf64_Sym); i++) {
		Elf64_Sym *sym = (Elf64_Sym *) (buf + sh->sh_offset) + i;
		sym->st_size = UINT64_MAX - i;
		sym->st_shndx = (i & 3) == 1 ? 0xfeff : sym->st_shndx;
	}
	f = write_and_open(path, buf, size, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	/* .symtab is intact and wins anyway. */
	CU_ASSERT_TRUE(elfsym_find(f, VT_CIRCLE, &s) &&
		       elfsym_lookup(f, VT_SLOT(s.value, 0), &s) &&
		       strcmp(s.name, VT_CIRCLE) == 0);
	elfsym_close(f);

	/* Relocations linked to the wrong table, to nothing, with a bad
	   entry size, or with symbol indices past the table. */
	Elf64_Word rela_link[] = { (Elf64_Word) symtab, 0, (Elf64_Word) rela, 0xffff };
	for (size_t i = 0; i < sizeof(rela_link) / sizeof(rela_link[0]); i++) {
		memcpy(buf, orig, size);
		shdr_of(buf, rela)->sh_link = rela_link[i];
		try_file(path, buf, size, &p);
	}
	memcpy(buf, orig, size);
	shdr_of(buf, rela)->sh_entsize = 0;
	try_file(path, buf, size, &p);
	memcpy(buf, orig, size);
	sh = shdr_of(buf, rela);
	for (size_t i = 0; i < sh->sh_size / sizeof(Elf64_Rela); i++) {
		Elf64_Rela *r = (Elf64_Rela *) (buf + sh->sh_offset) + i;
		r->r_info = ELF64_R_INFO(0xffffff - i, ELF64_R_TYPE(r->r_info));
		r->r_addend = (Elf64_Sxword) (UINT64_MAX - i);
	}
	try_file(path, buf, size, &p);

	/* Notes with bogus sizes: no build-id, no overrun. */
	Elf64_Word bad_note[][2] = {
		{ 4, UINT32_MAX }, { UINT32_MAX, 20 }, { 4, UINT32_MAX - 2 },
		{ 0xfffffff0, 0xfffffff0 }, { 5, 20 }, { 4, 0 }, { 4, 65 },
	};
	for (size_t k = 0; k < sizeof(bad_note) / sizeof(bad_note[0]); k++) {
		memcpy(buf, orig, size);
		for (size_t i = 1; i < eh->e_shnum; i++) {
			sh = shdr_of(buf, i);
			if (sh->sh_type != SHT_NOTE || sh->sh_size < 12)
				continue;
			Elf64_Nhdr *nh = (Elf64_Nhdr *) (buf + sh->sh_offset);
			if (nh->n_type != NT_GNU_BUILD_ID)
				continue;
			nh->n_namesz = bad_note[k][0];
			nh->n_descsz = bad_note[k][1];
		}
		f = write_and_open(path, buf, size, &p);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_PTR_NULL(elfsym_build_id(f));
		elfsym_close(f);
	}

	/* Dynamic section: DT_SONAME past the strings; no DT_NULL. */
	memcpy(buf, orig, size);
	sh = shdr_of(buf, dynamic);
	size_t ndyn = sh->sh_size / sizeof(Elf64_Dyn);
	Elf64_Dyn *dyn = (Elf64_Dyn *) (buf + sh->sh_offset);
	for (size_t i = 0; i < ndyn; i++)
		if (dyn[i].d_tag == DT_SONAME)
			dyn[i].d_un.d_val = UINT64_MAX - 1;
	f = write_and_open(path, buf, size, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NULL(elfsym_soname(f));
	elfsym_close(f);
	for (size_t i = 0; i < ndyn; i++) {
		dyn[i].d_tag = DT_FLAGS_1;
		dyn[i].d_un.d_val = DF_1_NODELETE;
	}
	f = write_and_open(path, buf, size, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_TRUE(elfsym_has_nodelete(f));
	elfsym_close(f);

	/* ELF header fields. */
	struct {
		size_t off, len;
		uint64_t val;
	} hdr[] = {
		{ offsetof(Elf64_Ehdr, e_phnum), 2, 0xffff },
		{ offsetof(Elf64_Ehdr, e_phnum), 2, PN_XNUM },
		{ offsetof(Elf64_Ehdr, e_phoff), 8, UINT64_MAX - 16 },
		{ offsetof(Elf64_Ehdr, e_phoff), 8, 0 },
		{ offsetof(Elf64_Ehdr, e_phentsize), 2, 7 },
		{ offsetof(Elf64_Ehdr, e_shnum), 2, 0xffff },
		{ offsetof(Elf64_Ehdr, e_shnum), 2, 0 },
		{ offsetof(Elf64_Ehdr, e_shentsize), 2, 0 },
		{ offsetof(Elf64_Ehdr, e_shstrndx), 2, 0xfffe },
		{ offsetof(Elf64_Ehdr, e_shstrndx), 2, SHN_XINDEX },
		{ offsetof(Elf64_Ehdr, e_ehsize), 2, 0 },
		{ EI_CLASS, 1, ELFCLASS32 },
		{ EI_CLASS, 1, 7 },
		{ EI_DATA, 1, ELFDATA2MSB },
		{ EI_VERSION, 1, 0 },
	};
	for (size_t i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++) {
		memcpy(buf, orig, size);
		for (size_t b = 0; b < hdr[i].len; b++)
			buf[hdr[i].off + b] = (unsigned char) (hdr[i].val >> (8 * b));
		bool opened = try_file(path, buf, size, &p);
		if (hdr[i].off == EI_CLASS)
			CU_ASSERT_FALSE(opened);
	}
	/* Extended section count: e_shnum 0, the count in section 0. */
	memcpy(buf, orig, size);
	eh->e_shnum = 0;
	shdr_of(buf, 0)->sh_size = UINT32_MAX;
	try_file(path, buf, size, &p);
	shdr_of(buf, 0)->sh_size = UINT64_MAX;
	try_file(path, buf, size, &p);

	/* Program headers: PT_LOADs that wrap, PT_NOTE and PT_DYNAMIC
	   pointing anywhere, with the section headers gone so they are
	   used. */
	uint64_t bad_ph[] = { 0, 1, 7, UINT64_MAX, UINT64_MAX - 4095, size, size - 1 };
	for (size_t k = 0; k < sizeof(bad_ph) / sizeof(bad_ph[0]); k++) {
		memcpy(buf, orig, size);
		memset(buf + eh->e_shoff, 0, (size_t) eh->e_shnum * sizeof(Elf64_Shdr));
		for (size_t i = 0; i < eh->e_phnum; i++) {
			Elf64_Phdr *ph = (Elf64_Phdr *) (buf + eh->e_phoff) + i;
			if (k & 1)
				ph->p_offset = bad_ph[k];
			else
				ph->p_filesz = bad_ph[k];
			if (k & 2)
				ph->p_vaddr = bad_ph[k];
			else
				ph->p_memsz = bad_ph[k];
			if (ph->p_type == PT_NOTE)
				ph->p_align = k & 1 ? 8 : 4;
		}
		try_file(path, buf, size, &p);
	}

	unlink(path);
	rmdir(dir);
	free(buf);
	free(path);
	free(dir);
	free(orig_id);
	free(orig);
	free(lib);
}

static void
corrupt_random(const char *name, unsigned int iterations)
{
	char *lib = fixture_path(name);
	size_t size;
	unsigned char *orig = slurp(lib, &size);
	CU_ASSERT_PTR_NOT_NULL_FATAL(orig);
	CU_ASSERT_TRUE_FATAL(size > 4096);
	struct elf_file *f = elfsym_open_path(lib);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct probe p;
	probe_build(f, &p);
	elfsym_close(f);

	CU_ASSERT_TRUE_FATAL(headers_sane(orig, size));
	struct region regions[64];
	size_t nregions = regions_of(orig, size, regions, 64);

	char *dir = make_tmpdir();
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	char *path = xasprintf("%s/flipped.so", dir);
	unsigned char *buf = xmalloc(size);
	unsigned int opened = 0;
	for (unsigned int it = 0; it < iterations; it++) {
		memcpy(buf, orig, size);
		/* A few bytes in one region at a time: the ELF header is
		   left alone now and then so that most copies still open. */
		const struct region *r = &regions[rng() % nregions];
		unsigned int flips = 1 + (unsigned int) (rng() % 8);
		for (unsigned int k = 0; k < flips; k++) {
			size_t at = r->off + (size_t) (rng() % r->len);
			if (at < EI_NIDENT && (it & 1))
				continue;
			switch (rng() % 4) {
			case 0:
				buf[at] ^= (unsigned char) (1u << (rng() % 8));
				break;
			case 1:
				buf[at] = 0xff;
				break;
			case 2:
				buf[at] = 0;
				break;
			default:
				buf[at] = (unsigned char) rng();
				break;
			}
		}
		if (try_file(path, buf, size, &p))
			opened++;
	}
	/* Most damage leaves the headers readable: the parsers behind them
	   were reached. */
	CU_ASSERT_TRUE(opened > iterations / 2);

	unlink(path);
	rmdir(dir);
	free(buf);
	free(path);
	free(dir);
	free(orig);
	free(lib);
}

static void
test_corrupt_random(void)
{
	corrupt_random("libfixture_vtable_gcc.so", 400);
	corrupt_random("libfixture_vtable_clang.so", 200);
	corrupt_random("libfixture_ops.so", 200);
}

/* Why a library stayed mapped, in words: a reason only when it is
   known, "unknown" otherwise (pin.c). */
static void
test_pin_words(void)
{
	struct pin_reasons r;
	memset(&r, 0, sizeof(r));
	char *s = pin_describe(&r);
	CU_ASSERT_STRING_EQUAL(s, "reason unknown: no pin, open handle, dependency or "
			       "thread_local destructor the tool can see");
	free(s);
	r.tls_unknown = true;
	s = pin_describe(&r);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "reason unknown"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "glibc's count could not be read"));
	free(s);
	r.tls_unknown = false;
	r.tls_dtors = 2;
	s = pin_describe(&r);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "kept until its thread_local destructors have run (2 "));
	CU_ASSERT_PTR_NULL(strstr(s, "unknown"));
	CU_ASSERT_TRUE(pin_is_held(&r));
	free(s);
}

/* l_tls_dtor_count: ld.so's DWARF (libc6-dbg) and the table agree for
   this machine's glibc; a release not measured is unknown. */
static void
test_linkmap_offsets(void)
{
	uint64_t off = 0;
	CU_ASSERT_FALSE(linkmap_table_offset("2.99", "l_tls_dtor_count", &off));
	CU_ASSERT_FALSE(linkmap_table_offset("2.36", "l_no_such_field", &off));
	if (strcmp(gnu_get_libc_version(), "2.36") != 0)
		return;
	CU_ASSERT_TRUE(linkmap_table_offset("2.36", "l_tls_dtor_count", &off));
	struct elf_file *ld = elfsym_open_path("/lib64/ld-linux-x86-64.so.2");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ld);
	uint64_t dwarf = 0;
	/* Without libc6-dbg there is no DWARF to ask. */
	if (debuginfo_member_offset(ld, "link_map", "l_tls_dtor_count", &dwarf))
		CU_ASSERT_EQUAL(dwarf, off);
	CU_ASSERT_FALSE(debuginfo_member_offset(ld, "link_map", "l_no_such_field", &dwarf));
	elfsym_close(ld);
}

int
main(void)
{
	/* TEST_DEBUG=1 shows why each damaged file was refused. */
	debug_enabled = getenv("TEST_DEBUG") != NULL;

	CU_TestInfo tests[] = {
		{ "lookup rules on a hand-made table", test_rules_lookup },
		{ "pin reasons in words", test_pin_words },
		{ "link_map offsets: DWARF and table", test_linkmap_offsets },
		{ "find rules: versions and duplicates", test_rules_find },
		{ "libc.so.6: dlopen, dlclose, build-id, segments", test_libc },
		{ "libc.so.6: mapped headers", test_libc_head },
		{ "ld.so: _dl_debug_state, _r_debug", test_ldso },
		{ "g++ plugin: vtables, slots, STB_GNU_UNIQUE", test_vtable_gcc },
		{ "clang++ plugin: vtables, slots, no unique", test_vtable_clang },
		{ "g++ plugin with DT_RELR", test_vtable_relr },
		{ "C ops table in a -z nodelete library", test_ops_shared },
		{ "C ops table in a non-PIE executable", test_ops_exec },
		{ "open refuses non-ELF, owns the descriptor", test_open_rejects },
		{ "deleted, replaced, truncated on disk", test_deleted_and_replaced },
		{ "truncated copies", test_corrupt_truncated },
		{ "targeted corruption", test_corrupt_targeted },
		{ "random corruption", test_corrupt_random },
		CU_TEST_INFO_NULL,
	};
	return cunit_run("elfsym", tests);
}
