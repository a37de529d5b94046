/* ELF symbolizer on top of libelf.
 *
 * The files read here are the libraries of a traced process, possibly
 * rebuilt, truncated or deleted on disk since they were mapped, and
 * sometimes simply corrupt.  Every count, offset, size and string index
 * taken from a file is checked before use; anything that does not add up
 * makes the affected lookup fail, never the tool.
 *
 * The file is read with ELF_C_READ rather than ELF_C_READ_MMAP: libelf
 * then pread()s what it needs into its own buffers.  A library overwritten
 * in place (cp over it, rather than a new inode from the linker or
 * install) would turn an access to an mmap of it past the new EOF into a
 * SIGBUS in the tool; a short pread is just an error.
 *
 * Everything beyond the ELF and program headers (symbol tables, the
 * relocation index, notes, the dynamic section) is loaded on first use:
 * most libraries of a process are never asked about.
 */
#include "config.h"
#include "elfsym.h"
#include "error.h"
#include "xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef STB_GNU_UNIQUE
# define STB_GNU_UNIQUE 10
#endif
#ifndef STT_GNU_IFUNC
# define STT_GNU_IFUNC 10
#endif
#ifndef R_X86_64_IRELATIVE
# define R_X86_64_IRELATIVE 37
#endif

/* A build-id is 8 to 32 bytes in practice (xxhash to sha256); anything
   much longer is a corrupt note, not an identifier worth printing. */
#define BUILD_ID_MAX 64

enum { TAB_SYMTAB, TAB_DYNSYM, TAB_COUNT };

struct sym {
	const char *name;	/* points into libelf's copy of the strtab */
	uint64_t value, size;
	uint32_t index;		/* in its table: the last tie-break */
	unsigned char type, bind;
	bool hidden;		/* a non-default symbol version */
	bool addressable;	/* a vaddr in this file (not TLS) */
};

struct addr_ent {
	uint64_t start, end;	/* end == start for a zero-sized symbol */
	uint64_t max_end;	/* largest end among this and all earlier */
	uint32_t sym;
};

struct name_ent {
	const char *name;
	uint32_t sym;
};

struct symtab {
	bool loaded;
	struct sym *syms;
	size_t nsyms;
	/* Addressable symbols by start, built on the first lookup: a load
	   keeps the table (elfsym_keep) and most are never looked up in. */
	bool indexed;
	struct addr_ent *by_addr;
	size_t naddr;
	struct name_ent *by_name;	/* built on the first elfsym_find */
};

struct reloc {
	uint64_t offset;
	int64_t addend;
	uint32_t type;
	uint32_t symidx;
	size_t symscn;		/* section of the linked table, 0 for none */
	size_t order;		/* file order, to keep the sort deterministic */
};

struct elf_file {
	int fd;
	char *path;
	Elf *elf;
	GElf_Ehdr ehdr;
	uint64_t file_size;

	size_t shnum;
	GElf_Shdr *shdrs;	/* SHT_NULL where a header was unreadable */

	struct elf_segment *segs;
	size_t nsegs;
	uint64_t relro_vaddr, relro_memsz;	/* PT_GNU_RELRO; memsz 0: none */
	uint64_t eh_hdr_vaddr, eh_hdr_memsz;	/* PT_GNU_EH_FRAME; memsz 0: none */
	char **needed;		/* DT_NEEDED names, once the dynamic section is read */
	size_t nneeded, needed_cap;

	struct symtab tabs[TAB_COUNT];

	bool relocs_loaded;
	struct reloc *relocs;
	size_t nrelocs;

	bool build_id_done;
	char *build_id;

	bool dynamic_done;
	bool nodelete;
	char *soname;

	/* Section data has been read through libelf (elf_getdata). */
	bool data_read;
	/* The file as it was opened, to tell a rewrite in place (same inode):
	   what elfsym_keep() read stays right, anything read later not. */
	struct timespec mtime;
	bool kept;
	bool said_changed;
	/* The whole file, owned by libelf, once elfsym_read_all read it. */
	const unsigned char *image;
	size_t image_size;
};

/* ---- Sections and strings ---- */

static bool
section_ok(const struct elf_file *f, size_t ndx, GElf_Word type)
{
	return ndx != 0 && ndx < f->shnum && f->shdrs[ndx].sh_type == type;
}

/* The data of section ndx, or NULL.  libelf checked that it lies within
   the file; d_buf is checked here because a SHT_NOBITS-like header gives
   a size with no buffer. */
static Elf_Data *
section_data(struct elf_file *f, size_t ndx)
{
	if (ndx == 0 || ndx >= f->shnum)
		return NULL;
	if (f->shdrs[ndx].sh_type == SHT_NULL || f->shdrs[ndx].sh_type == SHT_NOBITS)
		return NULL;
	Elf_Scn *scn = elf_getscn(f->elf, ndx);
	if (!scn)
		return NULL;
	f->data_read = true;
	Elf_Data *d = elf_getdata(scn, NULL);
	if (!d || (d->d_size && !d->d_buf))
		return NULL;
	return d;
}

/* A NUL-terminated string at off in a string table, or NULL. */
static const char *
data_string(const Elf_Data *d, uint64_t off)
{
	if (!d || !d->d_buf || off >= d->d_size)
		return NULL;
	const char *s = (const char *) d->d_buf + off;
	if (!memchr(s, '\0', d->d_size - off))
		return NULL;
	return s;
}

/* The string table a symbol or dynamic section links to. */
static Elf_Data *
linked_strtab(struct elf_file *f, size_t ndx)
{
	size_t link = f->shdrs[ndx].sh_link;
	if (!section_ok(f, link, SHT_STRTAB))
		return NULL;
	return section_data(f, link);
}

/* ---- Symbol tables ---- */

static int
type_rank(unsigned char type)
{
	return type == STT_NOTYPE ? 0 : 1;
}

static int
bind_rank(unsigned char bind)
{
	switch (bind) {
	case STB_GLOBAL:
	case STB_GNU_UNIQUE:
		return 2;
	case STB_WEAK:
		return 1;
	default:
		return 0;
	}
}

/* Symbol names compared up to a version suffix: .symtab spells versioned
   symbols "dlclose@GLIBC_2.2.5" and "dlclose@@GLIBC_2.34", .dynsym plain
   "dlclose", and a lookup by name must find all of them. */
static int
base_name_cmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = *a == '@' ? 0 : (unsigned char) *a;
		int cb = *b == '@' ? 0 : (unsigned char) *b;
		if (ca != cb || ca == 0)
			return ca - cb;
	}
}

static int
addr_ent_cmp(const void *pa, const void *pb)
{
	const struct addr_ent *a = pa, *b = pb;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->sym < b->sym ? -1 : a->sym > b->sym;
}

static int
name_ent_cmp(const void *pa, const void *pb)
{
	const struct name_ent *a = pa, *b = pb;
	int c = base_name_cmp(a->name, b->name);
	if (c)
		return c;
	return a->sym < b->sym ? -1 : a->sym > b->sym;
}

/* Whether a symbol of section shndx is an address in the loaded image,
   and, for a sized one, whether it stays inside its section.  Sizes that
   run past the section (corruption, or a value+size overflow) are dropped
   rather than the symbol: one bogus huge size would otherwise swallow every
   lookup after it. */
static bool
symbol_placed(const struct elf_file *f, GElf_Section shndx, GElf_Addr value,
	      GElf_Xword *size)
{
	if (shndx == SHN_XINDEX) {
		/* More than 65279 sections: not worth resolving here; trust
		   the value, but not the size. */
		*size = 0;
		return true;
	}
	if (shndx >= SHN_LORESERVE || shndx >= f->shnum)
		return false;	/* SHN_ABS, SHN_COMMON, or corrupt */
	const GElf_Shdr *sh = &f->shdrs[shndx];
	if (sh->sh_type == SHT_NULL || !(sh->sh_flags & SHF_ALLOC))
		return false;
	if (*size) {
		if (value < sh->sh_addr || value - sh->sh_addr > sh->sh_size ||
		    *size > sh->sh_size - (value - sh->sh_addr) ||
		    value + *size < value)
			*size = 0;
	}
	return true;
}

/* The SHT_GNU_versym section belonging to symbol section ndx, if any. */
static Elf_Data *
versym_data(struct elf_file *f, size_t ndx, size_t nsyms)
{
	for (size_t i = 1; i < f->shnum; i++) {
		const GElf_Shdr *sh = &f->shdrs[i];
		if (sh->sh_type != SHT_GNU_versym || sh->sh_link != ndx)
			continue;
		if (sh->sh_entsize != sizeof(GElf_Versym))
			return NULL;
		Elf_Data *d = section_data(f, i);
		/* One entry per symbol, or the table is not this one's. */
		if (!d || d->d_size / sizeof(GElf_Versym) != nsyms)
			return NULL;
		return d;
	}
	return NULL;
}

/* Sort the addressable symbols by start and compute the running maximum
   of their ends, which bounds the backward walk of table_lookup. */
static void
symtab_index(struct symtab *t)
{
	t->indexed = true;
	size_t naddr = 0;
	for (size_t i = 0; i < t->nsyms; i++)
		naddr += t->syms[i].addressable;
	t->by_addr = xcalloc(naddr, sizeof(*t->by_addr));
	for (size_t i = 0; i < t->nsyms; i++) {
		const struct sym *sym = &t->syms[i];
		if (!sym->addressable)
			continue;
		struct addr_ent *e = &t->by_addr[t->naddr++];
		e->start = sym->value;
		e->end = sym->value + sym->size;	/* checked in symbol_placed */
		e->sym = (uint32_t) i;
	}
	qsort(t->by_addr, t->naddr, sizeof(*t->by_addr), addr_ent_cmp);
	uint64_t max_end = 0;
	for (size_t i = 0; i < t->naddr; i++) {
		if (t->by_addr[i].end > max_end)
			max_end = t->by_addr[i].end;
		t->by_addr[i].max_end = max_end;
	}
}

static void
symtab_load(struct elf_file *f, int which)
{
	struct symtab *t = &f->tabs[which];
	GElf_Word want = which == TAB_SYMTAB ? SHT_SYMTAB : SHT_DYNSYM;

	t->loaded = true;

	size_t ndx = 0;
	for (size_t i = 1; i < f->shnum; i++) {
		if (f->shdrs[i].sh_type == want) {
			ndx = i;
			break;
		}
	}
	if (!ndx)
		return;
	if (f->shdrs[ndx].sh_entsize != sizeof(Elf64_Sym)) {
		debug_msg("%s: section %zu: symbol entry size %ju, ignoring the table",
			  f->path, ndx, (uintmax_t) f->shdrs[ndx].sh_entsize);
		return;
	}
	Elf_Data *data = section_data(f, ndx);
	Elf_Data *strs = linked_strtab(f, ndx);
	if (!data || !strs) {
		debug_msg("%s: section %zu: unreadable symbol or string table: %s",
			  f->path, ndx, elf_errmsg(-1));
		return;
	}
	size_t count = data->d_size / sizeof(Elf64_Sym);
	if (count > f->shdrs[ndx].sh_size / sizeof(Elf64_Sym))
		count = f->shdrs[ndx].sh_size / sizeof(Elf64_Sym);
	if (count > INT32_MAX)		/* gelf_getsym takes an int */
		count = INT32_MAX;
	Elf_Data *versyms = which == TAB_DYNSYM ? versym_data(f, ndx, count) : NULL;

	t->syms = xcalloc(count, sizeof(*t->syms));
	/* Entry 0 is the null symbol. */
	for (size_t i = 1; i < count; i++) {
		GElf_Sym s;
		if (!gelf_getsym(data, (int) i, &s))
			continue;
		unsigned char type = GELF_ST_TYPE(s.st_info);
		if (s.st_shndx == SHN_UNDEF || s.st_name == 0 ||
		    type == STT_SECTION || type == STT_FILE)
			continue;
		GElf_Xword size = s.st_size;
		if (!symbol_placed(f, s.st_shndx, s.st_value, &size))
			continue;
		const char *name = data_string(strs, s.st_name);
		if (!name || !*name)
			continue;

		struct sym *sym = &t->syms[t->nsyms++];
		sym->name = name;
		sym->value = s.st_value;
		sym->size = size;
		sym->index = (uint32_t) i;
		sym->type = type;
		sym->bind = GELF_ST_BIND(s.st_info);
		/* TLS values are offsets into the TLS block, not addresses. */
		sym->addressable = type != STT_TLS;

		GElf_Versym vs;
		if (versyms && gelf_getversym(versyms, (int) i, &vs))
			sym->hidden = (vs & 0x8000) != 0;
		else {
			const char *at = strchr(name, '@');
			sym->hidden = at && at[1] != '@';
		}
	}
}

static struct symtab *
symtab_get(struct elf_file *f, int which)
{
	struct symtab *t = &f->tabs[which];
	if (!t->loaded)
		symtab_load(f, which);
	return t;
}

static void
symtab_free(struct symtab *t)
{
	free(t->syms);
	free(t->by_addr);
	free(t->by_name);
}

/* Is candidate a a better answer for an address than b?  The header's
   rules first: FUNC/OBJECT (or IFUNC) over a NOTYPE label, then GLOBAL or
   UNIQUE over WEAK over LOCAL, which picks the exported name among
   aliases.  Then a sized symbol over a zero-sized one, the smallest
   containing one (the innermost: an object inside a larger blob), the
   default version, and last the table order, so that the answer for an
   address never changes from one run to the next. */
static bool
lookup_better(const struct sym *a, const struct sym *b)
{
	if (type_rank(a->type) != type_rank(b->type))
		return type_rank(a->type) > type_rank(b->type);
	if (bind_rank(a->bind) != bind_rank(b->bind))
		return bind_rank(a->bind) > bind_rank(b->bind);
	if ((a->size != 0) != (b->size != 0))
		return a->size != 0;
	if (a->size != b->size)
		return a->size < b->size;
	if (a->hidden != b->hidden)
		return !a->hidden;
	return a->index < b->index;
}

static const struct sym *
table_lookup(struct symtab *t, uint64_t addr)
{
	if (!t->indexed)
		symtab_index(t);
	/* First entry starting after addr. */
	size_t lo = 0, hi = t->naddr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->by_addr[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}

	/* Walk back over everything that may contain addr.  max_end bounds
	   the walk: once every symbol up to here ends at or before addr, only
	   zero-sized symbols exactly at addr could still match, and those
	   sort after any symbol starting below addr. */
	const struct sym *best = NULL;
	for (size_t i = lo; i-- > 0;) {
		const struct addr_ent *e = &t->by_addr[i];
		if (e->start < addr && e->max_end <= addr)
			break;
		if (e->start != addr && e->end <= addr)
			continue;
		const struct sym *s = &t->syms[e->sym];
		if (!best || lookup_better(s, best))
			best = s;
	}
	return best;
}

static void
fill_symbol(struct elf_symbol *out, const struct sym *s, bool from_symtab)
{
	out->name = s->name;
	out->value = s->value;
	out->size = s->size;
	out->type = s->type;
	out->bind = s->bind;
	out->from_symtab = from_symtab;
}

/* Is candidate a a better answer for a name than b?  The default version
   first: "memcpy" in libc.so.6 is memcpy@@GLIBC_2.14, not the old
   memcpy@GLIBC_2.2.5 at another address. */
static bool
find_better(const struct sym *a, const struct sym *b)
{
	if (a->hidden != b->hidden)
		return !a->hidden;
	if (bind_rank(a->bind) != bind_rank(b->bind))
		return bind_rank(a->bind) > bind_rank(b->bind);
	return a->index < b->index;
}

static const struct sym *
table_find(struct symtab *t, const char *name)
{
	if (!t->nsyms)
		return NULL;
	if (!t->by_name) {
		t->by_name = xcalloc(t->nsyms, sizeof(*t->by_name));
		for (size_t i = 0; i < t->nsyms; i++) {
			t->by_name[i].name = t->syms[i].name;
			t->by_name[i].sym = (uint32_t) i;
		}
		qsort(t->by_name, t->nsyms, sizeof(*t->by_name), name_ent_cmp);
	}

	size_t lo = 0, hi = t->nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (base_name_cmp(t->by_name[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	const struct sym *best = NULL;
	for (size_t i = lo; i < t->nsyms; i++) {
		if (base_name_cmp(t->by_name[i].name, name) != 0)
			break;
		const struct sym *s = &t->syms[t->by_name[i].sym];
		if (!best || find_better(s, best))
			best = s;
	}
	return best;
}

/* ---- Opening and closing ---- */

static bool
load_segments(struct elf_file *f)
{
	size_t phnum;
	if (elf_getphdrnum(f->elf, &phnum) != 0) {
		debug_msg("%s: cannot read the program header count: %s",
			  f->path, elf_errmsg(-1));
		return false;
	}
	/* libelf has already checked that phnum headers fit in the file. */
	size_t cap = 0;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(f->elf, (int) i, &ph)) {
			debug_msg("%s: program header %zu: %s",
				  f->path, i, elf_errmsg(-1));
			return false;
		}
		if (ph.p_type == PT_GNU_RELRO && ph.p_vaddr + ph.p_memsz >= ph.p_vaddr) {
			f->relro_vaddr = ph.p_vaddr;
			f->relro_memsz = ph.p_memsz;
		}
		if (ph.p_type == PT_GNU_EH_FRAME && ph.p_vaddr + ph.p_memsz >= ph.p_vaddr) {
			f->eh_hdr_vaddr = ph.p_vaddr;
			f->eh_hdr_memsz = ph.p_memsz;
		}
		if (ph.p_type != PT_LOAD)
			continue;
		if (ph.p_vaddr + ph.p_memsz < ph.p_vaddr ||
		    ph.p_offset + ph.p_filesz < ph.p_offset) {
			debug_msg("%s: PT_LOAD %zu wraps around, ignored", f->path, i);
			continue;
		}
		f->segs = xgrow(f->segs, &cap, f->nsegs + 1, sizeof(*f->segs));
		struct elf_segment *s = &f->segs[f->nsegs++];
		s->vaddr = ph.p_vaddr;
		s->memsz = ph.p_memsz;
		s->offset = ph.p_offset;
		s->filesz = ph.p_filesz;
		s->flags = ph.p_flags;
	}
	return true;
}

static void
load_section_headers(struct elf_file *f)
{
	size_t shnum;
	if (elf_getshdrnum(f->elf, &shnum) != 0) {
		debug_msg("%s: cannot read the section count: %s, going without sections",
			  f->path, elf_errmsg(-1));
		return;
	}
	if (shnum > f->file_size / sizeof(Elf64_Shdr))
		return;
	f->shnum = shnum;
	f->shdrs = xcalloc(shnum, sizeof(*f->shdrs));
	for (size_t i = 1; i < shnum; i++) {
		Elf_Scn *scn = elf_getscn(f->elf, i);
		if (!scn || !gelf_getshdr(scn, &f->shdrs[i]))
			memset(&f->shdrs[i], 0, sizeof(f->shdrs[i]));
	}
}

const char *
elfsym_section_name(struct elf_file *f, uint64_t vaddr)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(f->elf, &shstrndx) != 0)
		return NULL;
	for (size_t i = 1; i < f->shnum; i++) {
		const GElf_Shdr *sh = &f->shdrs[i];
		if (!(sh->sh_flags & SHF_ALLOC) || vaddr < sh->sh_addr ||
		    vaddr - sh->sh_addr >= sh->sh_size)
			continue;
		/* libelf checks the offset against the string table. */
		return elf_strptr(f->elf, shstrndx, sh->sh_name);
	}
	return NULL;
}

struct elf_file *
elfsym_open_fd(int fd, const char *display_path)
{
	static bool libelf_ready;
	const char *path = display_path ? display_path : "(unnamed)";

	if (!libelf_ready) {
		if (elf_version(EV_CURRENT) == EV_NONE) {
			debug_msg("%s: libelf is out of date: %s", path, elf_errmsg(-1));
			close(fd);
			return NULL;
		}
		libelf_ready = true;
	}

	struct stat st;
	if (fstat(fd, &st) != 0) {
		debug_msg("%s: fstat: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	/* A FIFO or device would block libelf or feed it endless data. */
	if (!S_ISREG(st.st_mode)) {
		debug_msg("%s: not a regular file", path);
		close(fd);
		return NULL;
	}

	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf) {
		debug_msg("%s: not an ELF file: %s", path, elf_errmsg(-1));
		close(fd);
		return NULL;
	}

	struct elf_file *f = xcalloc(1, sizeof(*f));
	f->fd = fd;
	f->elf = elf;
	f->path = xstrdup(path);
	f->file_size = (uint64_t) st.st_size;
	f->mtime = st.st_mtim;

	if (elf_kind(elf) != ELF_K_ELF) {
		debug_msg("%s: not an ELF file", path);
		goto fail;
	}
	if (gelf_getclass(elf) != ELFCLASS64) {
		debug_msg("%s: not a 64-bit ELF file", path);
		goto fail;
	}
	if (!gelf_getehdr(elf, &f->ehdr)) {
		debug_msg("%s: bad ELF header: %s", path, elf_errmsg(-1));
		goto fail;
	}
	if (!load_segments(f))
		goto fail;
	load_section_headers(f);
	return f;

fail:
	elfsym_close(f);
	return NULL;
}

/* Only before any section's data has been read (objcache calls it right
   after opening).  libelf frees the buffers it pread() section data into
   only as long as it has not read the whole file: elf_end() then takes
   every section's data to lie inside the whole-file buffer, and the
   earlier buffers leak (elfutils 0.188; found by tests/fuzz).  Tables
   loaded before would show the file as it was then anyway. */
bool
elfsym_read_all(struct elf_file *f)
{
	if (f->image)
		return true;
	if (f->data_read) {
		debug_msg("%s: not read into memory: its sections were already read",
			  f->path);
		return false;
	}
	if (elf_cntl(f->elf, ELF_C_FDREAD) != 0) {
		debug_msg("%s: cannot read the whole file: %s", f->path, elf_errmsg(-1));
		return false;
	}
	/* read_word reads the file itself, not through libelf: it must use
	   this copy from now on, or a file rewritten in place would be read
	   as it is now rather than as it was loaded.  elf_rawfile() is only
	   called here, once the file is in memory: before that it would read
	   the whole file itself. */
	size_t n;
	const char *image = elf_rawfile(f->elf, &n);
	if (image) {
		f->image = (const unsigned char *) image;
		f->image_size = n;
	}
	return true;
}

bool
elfsym_changed_on_disk(struct elf_file *f)
{
	struct stat st;
	if (fstat(f->fd, &st) != 0)
		return true;
	bool changed = (uint64_t)st.st_size != f->file_size ||
		       st.st_mtim.tv_sec != f->mtime.tv_sec ||
		       st.st_mtim.tv_nsec != f->mtime.tv_nsec;
	if (changed && !f->said_changed) {
		f->said_changed = true;
		debug_msg("%s: changed on disk since it was loaded: only what was read then "
			  "(symbols, relocations, build-id) is used", f->path);
	}
	return changed;
}

struct elf_file *
elfsym_open_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		debug_msg("%s: open: %s", path, strerror(errno));
		return NULL;
	}
	return elfsym_open_fd(fd, path);
}

void
elfsym_close(struct elf_file *f)
{
	if (!f)
		return;
	for (int i = 0; i < TAB_COUNT; i++)
		symtab_free(&f->tabs[i]);
	free(f->relocs);
	free(f->build_id);
	free(f->soname);
	for (size_t i = 0; i < f->nneeded; i++)
		free(f->needed[i]);
	free(f->needed);
	free(f->segs);
	free(f->shdrs);
	elf_end(f->elf);
	close(f->fd);
	free(f->path);
	free(f);
}

Elf *
elfsym_elf_handle(const struct elf_file *f)
{
	return f->elf;
}

const char *
elfsym_path(const struct elf_file *f)
{
	return f->path;
}

bool
elfsym_is_dyn(const struct elf_file *f)
{
	return f->ehdr.e_type == ET_DYN;
}

/* ---- Segments ---- */

const struct elf_segment *
elfsym_segments(struct elf_file *f, size_t *n)
{
	*n = f->nsegs;
	return f->segs;
}

size_t
elfsym_head_span(struct elf_file *f, uint64_t *vaddr)
{
	const struct elf_segment *first = NULL;
	for (size_t i = 0; i < f->nsegs && !first; i++)
		if (f->segs[i].offset == 0)
			first = &f->segs[i];
	if (!first)
		return 0;
	uint64_t limit = first->filesz < 4096 ? first->filesz : 4096;
	uint64_t n = (uint64_t) f->ehdr.e_phoff + (uint64_t) f->ehdr.e_phnum * f->ehdr.e_phentsize;
	if (n > limit || f->ehdr.e_phoff > limit)
		return 0;
	size_t phnum = 0;
	if (elf_getphdrnum(f->elf, &phnum) != 0)
		phnum = 0;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(f->elf, (int) i, &ph) || ph.p_type != PT_NOTE)
			continue;
		if (ph.p_offset <= limit && ph.p_filesz <= limit - ph.p_offset &&
		    ph.p_offset + ph.p_filesz > n)
			n = ph.p_offset + ph.p_filesz;
	}
	*vaddr = first->vaddr;
	return (size_t) n;
}

bool
elfsym_offset_to_vaddr(struct elf_file *f, uint64_t offset, uint64_t *vaddr)
{
	for (size_t i = 0; i < f->nsegs; i++) {
		const struct elf_segment *s = &f->segs[i];
		if (offset >= s->offset && offset - s->offset < s->filesz) {
			*vaddr = s->vaddr + (offset - s->offset);
			return true;
		}
	}

	/* The kernel maps whole pages, so a maps line shows the page-aligned
	   offset below a segment that does not start on a page boundary.
	   The exact pass above wins when a page holds the end of one segment
	   and the start of the next (lld packs them so): the caller has only
	   the offset, and the first mapping of the file is the usual
	   question. */
	long page = sysconf(_SC_PAGESIZE);
	uint64_t mask = page > 0 ? (uint64_t) page - 1 : 4095;
	for (size_t i = 0; i < f->nsegs; i++) {
		const struct elf_segment *s = &f->segs[i];
		uint64_t start = s->offset & ~mask;
		uint64_t back = s->offset - offset;
		if (s->filesz && offset >= start && offset < s->offset &&
		    back <= s->vaddr) {
			*vaddr = s->vaddr - back;
			return true;
		}
	}
	return false;
}

/* ---- Lookups ---- */

bool
elfsym_lookup(struct elf_file *f, uint64_t vaddr, struct elf_symbol *out)
{
	/* .symtab first: where it exists it holds everything .dynsym has
	   plus the static functions and local vtables only it has.  A stripped
	   file has just .dynsym. */
	static const int order[] = { TAB_SYMTAB, TAB_DYNSYM };
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const struct sym *s = table_lookup(symtab_get(f, order[i]), vaddr);
		if (s) {
			fill_symbol(out, s, order[i] == TAB_SYMTAB);
			return true;
		}
	}
	return false;
}

bool
elfsym_find(struct elf_file *f, const char *name, struct elf_symbol *out)
{
	if (!name || !*name)
		return false;
	static const int order[] = { TAB_DYNSYM, TAB_SYMTAB };
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const struct sym *s = table_find(symtab_get(f, order[i]), name);
		if (s) {
			fill_symbol(out, s, order[i] == TAB_SYMTAB);
			return true;
		}
	}
	return false;
}

bool
elfsym_find_dynamic(struct elf_file *f, const char *name, struct elf_symbol *out)
{
	if (!name || !*name)
		return false;
	const struct sym *s = table_find(symtab_get(f, TAB_DYNSYM), name);
	if (s)
		fill_symbol(out, s, false);
	return s != NULL;
}

size_t
elfsym_for_each_unique(struct elf_file *f,
		       void (*cb)(const struct elf_symbol *sym, void *arg), void *arg)
{
	const struct symtab *t = symtab_get(f, TAB_DYNSYM);
	size_t n = 0;
	for (size_t i = 0; i < t->nsyms; i++) {
		if (t->syms[i].bind != STB_GNU_UNIQUE)
			continue;
		n++;
		if (cb) {
			struct elf_symbol s;
			fill_symbol(&s, &t->syms[i], false);
			cb(&s, arg);
		}
	}
	return n;
}

/* ---- Relocations and vtable slots ---- */

static int
reloc_cmp(const void *pa, const void *pb)
{
	const struct reloc *a = pa, *b = pb;
	if (a->offset != b->offset)
		return a->offset < b->offset ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* Index every dynamic RELA entry by r_offset.  Only SHF_ALLOC sections
   count: those are what ld.so applies, and their offsets are vaddrs.  The
   relocation types are x86-64's, so other machines get no index and
   resolve_word reads the file contents only. */
static void
relocs_load(struct elf_file *f)
{
	f->relocs_loaded = true;
	if (f->ehdr.e_machine != EM_X86_64)
		return;
	/* Read when first needed (a word of the library's data to resolve,
	   mostly after its unload): most libraries never need them, and
	   they are the biggest part of a file the tool could keep.  A file
	   rewritten in place since it was loaded is not read. */
	if (!f->image && elfsym_changed_on_disk(f))
		return;

	size_t cap = 0;
	for (size_t i = 1; i < f->shnum; i++) {
		const GElf_Shdr *sh = &f->shdrs[i];
		if (sh->sh_type != SHT_RELA || !(sh->sh_flags & SHF_ALLOC))
			continue;
		if (sh->sh_entsize != sizeof(Elf64_Rela)) {
			debug_msg("%s: section %zu: relocation entry size %ju, ignored",
				  f->path, i, (uintmax_t) sh->sh_entsize);
			continue;
		}
		/* Dynamic relocations name .dynsym; a static PIE's have no
		   table at all (sh_link 0, RELATIVE only). */
		size_t link = sh->sh_link;
		if (link != 0 && !section_ok(f, link, SHT_DYNSYM)) {
			debug_msg("%s: section %zu: relocations link to section %zu, "
				  "not a dynamic symbol table; ignored", f->path, i, link);
			continue;
		}
		Elf_Data *d = section_data(f, i);
		if (!d)
			continue;
		size_t count = d->d_size / sizeof(Elf64_Rela);
		if (count > INT32_MAX)
			count = INT32_MAX;
		f->relocs = xgrow(f->relocs, &cap, f->nrelocs + count, sizeof(*f->relocs));
		for (size_t j = 0; j < count; j++) {
			GElf_Rela r;
			if (!gelf_getrela(d, (int) j, &r))
				break;
			struct reloc *rel = &f->relocs[f->nrelocs];
			rel->offset = r.r_offset;
			rel->addend = r.r_addend;
			rel->type = (uint32_t) GELF_R_TYPE(r.r_info);
			rel->symidx = (uint32_t) GELF_R_SYM(r.r_info);
			rel->symscn = link;
			rel->order = f->nrelocs++;
		}
	}
	if (f->nrelocs > 1)
		qsort(f->relocs, f->nrelocs, sizeof(*f->relocs), reloc_cmp);
}

static const struct reloc *
reloc_at(struct elf_file *f, uint64_t vaddr)
{
	if (!f->relocs_loaded)
		relocs_load(f);
	size_t lo = 0, hi = f->nrelocs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->relocs[mid].offset < vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < f->nrelocs && f->relocs[lo].offset == vaddr)
		return &f->relocs[lo];
	return NULL;
}

/* An address in this file: the symbol containing it, but with the value
   of the address itself (a vtable slot points at a function's start, a
   vptr at a vtable's address point). */
static bool
resolve_address(struct elf_file *f, uint64_t addr, struct elf_symbol *target)
{
	if (!elfsym_lookup(f, addr, target))
		return false;
	target->value = addr;
	return true;
}

/* The symbol a relocation names. */
static bool
resolve_symbol(struct elf_file *f, const struct reloc *r, struct elf_symbol *target)
{
	if (r->symidx == 0) {
		/* No symbol: S is 0 and the word is just the addend. */
		return resolve_address(f, (uint64_t) r->addend, target);
	}
	Elf_Data *d = section_data(f, r->symscn);
	Elf_Data *strs = d ? linked_strtab(f, r->symscn) : NULL;
	GElf_Sym s;
	if (!strs || r->symidx > INT32_MAX || !gelf_getsym(d, (int) r->symidx, &s))
		return false;
	const char *name = data_string(strs, s.st_name);
	if (s.st_shndx != SHN_UNDEF && (!name || !*name))
		/* Nameless but defined: name the address instead. */
		return resolve_address(f, s.st_value + (uint64_t) r->addend, target);
	if (!name || !*name)
		return false;

	target->name = name;
	target->size = s.st_size;
	target->type = GELF_ST_TYPE(s.st_info);
	target->bind = GELF_ST_BIND(s.st_info);
	target->from_symtab = f->shdrs[r->symscn].sh_type == SHT_SYMTAB;
	/* Undefined: bound at run time to another object; only the name
	   is known here. */
	target->value = s.st_shndx == SHN_UNDEF ? 0 : s.st_value + (uint64_t) r->addend;
	return true;
}

/* The 8 file bytes backing vaddr, through the PT_LOAD segments, or the
   sections of a file without program headers. */
static bool
read_word(struct elf_file *f, uint64_t vaddr, uint64_t *word)
{
	uint64_t off = 0;
	bool found = false;
	for (size_t i = 0; i < f->nsegs && !found; i++) {
		const struct elf_segment *s = &f->segs[i];
		if (vaddr >= s->vaddr && s->filesz >= 8 && vaddr - s->vaddr <= s->filesz - 8) {
			off = s->offset + (vaddr - s->vaddr);
			found = true;
		}
	}
	for (size_t i = 1; i < f->shnum && !found && !f->nsegs; i++) {
		const GElf_Shdr *sh = &f->shdrs[i];
		if (!(sh->sh_flags & SHF_ALLOC) || sh->sh_type == SHT_NOBITS ||
		    sh->sh_type == SHT_NULL)
			continue;
		if (vaddr >= sh->sh_addr && sh->sh_size >= 8 &&
		    vaddr - sh->sh_addr <= sh->sh_size - 8) {
			off = sh->sh_offset + (vaddr - sh->sh_addr);
			found = true;
		}
	}
	if (!found || off > f->file_size || f->file_size - off < 8)
		return false;

	unsigned char b[8];
	if (!f->image && elfsym_changed_on_disk(f))
		return false;
	if (f->image) {
		if (off > f->image_size || f->image_size - off < 8)
			return false;
		memcpy(b, f->image + off, sizeof(b));
	} else if (pread(f->fd, b, sizeof(b), (off_t) off) != (ssize_t) sizeof(b))
		return false;
	uint64_t w = 0;
	for (int i = 0; i < 8; i++) {
		int shift = f->ehdr.e_ident[EI_DATA] == ELFDATA2MSB ? 8 * (7 - i) : 8 * i;
		w |= (uint64_t) b[i] << shift;
	}
	*word = w;
	return true;
}

bool
elfsym_resolve_word(struct elf_file *f, uint64_t vaddr, struct elf_symbol *target)
{
	const struct reloc *r = reloc_at(f, vaddr);
	if (r) {
		switch (r->type) {
		case R_X86_64_RELATIVE:
		case R_X86_64_IRELATIVE:	/* names the ifunc resolver */
			return resolve_address(f, (uint64_t) r->addend, target);
		case R_X86_64_64:
		case R_X86_64_GLOB_DAT:
		case R_X86_64_JUMP_SLOT:
			return resolve_symbol(f, r, target);
		default:
			/* TLS offsets, copies and the like: not an address. */
			return false;
		}
	}

	/* No RELA entry: a non-PIE executable holds the final address in
	   the file, and so does a word relocated through DT_RELR (packed
	   relative relocations keep the addend in place). */
	uint64_t word;
	if (!read_word(f, vaddr, &word) || word == 0)
		return false;
	return resolve_address(f, word, target);
}

/* ---- Notes and the dynamic section ---- */

static char *
build_id_in(Elf_Data *d)
{
	size_t off = 0, next;
	GElf_Nhdr nh;
	size_t name_off, desc_off;

	while (off < d->d_size &&
	       (next = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > off) {
		off = next;
		if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != sizeof(ELF_NOTE_GNU) ||
		    memcmp((const char *) d->d_buf + name_off, ELF_NOTE_GNU,
			   sizeof(ELF_NOTE_GNU)) != 0)
			continue;
		if (nh.n_descsz == 0 || nh.n_descsz > BUILD_ID_MAX)
			continue;
		static const char hex[] = "0123456789abcdef";
		const unsigned char *p = (const unsigned char *) d->d_buf + desc_off;
		char *s = xmalloc(2 * nh.n_descsz + 1);
		for (size_t i = 0; i < nh.n_descsz; i++) {
			s[2 * i] = hex[p[i] >> 4];
			s[2 * i + 1] = hex[p[i] & 0xf];
		}
		s[2 * nh.n_descsz] = '\0';
		return s;
	}
	return NULL;
}

const char *
elfsym_build_id(struct elf_file *f)
{
	if (f->build_id_done)
		return f->build_id;
	f->build_id_done = true;

	for (size_t i = 1; i < f->shnum && !f->build_id; i++) {
		if (f->shdrs[i].sh_type != SHT_NOTE)
			continue;
		Elf_Data *d = section_data(f, i);
		if (d)
			f->build_id = build_id_in(d);
	}

	/* Without section headers, the PT_NOTE segments hold the same. */
	size_t phnum = 0;
	if (!f->build_id && elf_getphdrnum(f->elf, &phnum) != 0)
		phnum = 0;
	for (size_t i = 0; i < phnum && !f->build_id; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(f->elf, (int) i, &ph) || ph.p_type != PT_NOTE)
			continue;
		if (ph.p_offset > f->file_size || ph.p_filesz > f->file_size - ph.p_offset)
			continue;
		Elf_Data *d = elf_getdata_rawchunk(f->elf, (int64_t) ph.p_offset,
						   ph.p_filesz,
						   ph.p_align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR);
		if (d && d->d_buf)
			f->build_id = build_id_in(d);
	}
	return f->build_id;
}

/* The file offset of n bytes at vaddr, all inside one PT_LOAD's file
   part. */
static bool
vaddr_to_offset(const struct elf_file *f, uint64_t vaddr, uint64_t n, uint64_t *off)
{
	for (size_t i = 0; i < f->nsegs; i++) {
		const struct elf_segment *s = &f->segs[i];
		if (vaddr >= s->vaddr && vaddr - s->vaddr <= s->filesz &&
		    n <= s->filesz - (vaddr - s->vaddr)) {
			*off = s->offset + (vaddr - s->vaddr);
			return true;
		}
	}
	return false;
}

/* The dynamic section's entries and string table: from the section
   headers, or else from PT_DYNAMIC and DT_STRTAB/DT_STRSZ. */
static Elf_Data *
dynamic_data(struct elf_file *f, Elf_Data **strs)
{
	*strs = NULL;
	for (size_t i = 1; i < f->shnum; i++) {
		if (f->shdrs[i].sh_type != SHT_DYNAMIC)
			continue;
		if (f->shdrs[i].sh_entsize != sizeof(Elf64_Dyn))
			return NULL;
		*strs = linked_strtab(f, i);
		return section_data(f, i);
	}

	size_t phnum;
	if (elf_getphdrnum(f->elf, &phnum) != 0)
		return NULL;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(f->elf, (int) i, &ph) || ph.p_type != PT_DYNAMIC)
			continue;
		if (ph.p_offset > f->file_size || ph.p_filesz > f->file_size - ph.p_offset)
			return NULL;
		Elf_Data *d = elf_getdata_rawchunk(f->elf, (int64_t) ph.p_offset,
						   ph.p_filesz, ELF_T_DYN);
		if (!d || !d->d_buf)
			return NULL;

		uint64_t strtab = 0, strsz = 0, off;
		GElf_Dyn dyn;
		for (size_t j = 0; j <= INT32_MAX && gelf_getdyn(d, (int) j, &dyn); j++) {
			if (dyn.d_tag == DT_NULL)
				break;
			if (dyn.d_tag == DT_STRTAB)
				strtab = dyn.d_un.d_ptr;
			else if (dyn.d_tag == DT_STRSZ)
				strsz = dyn.d_un.d_val;
		}
		if (strtab && strsz && strsz <= f->file_size &&
		    vaddr_to_offset(f, strtab, strsz, &off)) {
			Elf_Data *sd = elf_getdata_rawchunk(f->elf, (int64_t) off,
							    strsz, ELF_T_BYTE);
			if (sd && sd->d_buf)
				*strs = sd;
		}
		return d;
	}
	return NULL;
}

static void
dynamic_load(struct elf_file *f)
{
	f->dynamic_done = true;

	Elf_Data *strs;
	Elf_Data *d = dynamic_data(f, &strs);
	if (!d)
		return;
	GElf_Dyn dyn;
	for (size_t j = 0; j <= INT32_MAX && gelf_getdyn(d, (int) j, &dyn); j++) {
		if (dyn.d_tag == DT_NULL)
			break;
		if (dyn.d_tag == DT_FLAGS_1 && (dyn.d_un.d_val & DF_1_NODELETE))
			f->nodelete = true;
		if (dyn.d_tag == DT_SONAME && !f->soname) {
			const char *s = data_string(strs, dyn.d_un.d_val);
			if (s)
				f->soname = xstrdup(s);
		}
		if (dyn.d_tag == DT_NEEDED) {
			const char *s = data_string(strs, dyn.d_un.d_val);
			if (s) {
				f->needed = xgrow(f->needed, &f->needed_cap, f->nneeded + 1,
						  sizeof(*f->needed));
				f->needed[f->nneeded++] = xstrdup(s);
			}
		}
	}
}

bool
elfsym_has_nodelete(struct elf_file *f)
{
	if (!f->dynamic_done)
		dynamic_load(f);
	return f->nodelete;
}

const char *
elfsym_soname(struct elf_file *f)
{
	if (!f->dynamic_done)
		dynamic_load(f);
	return f->soname;
}

int
elfsym_fd(const struct elf_file *f)
{
	return f->fd;
}

bool
elfsym_eh_frame_hdr(const struct elf_file *f, uint64_t *vaddr, uint64_t *memsz)
{
	if (!f->eh_hdr_memsz)
		return false;
	*vaddr = f->eh_hdr_vaddr;
	*memsz = f->eh_hdr_memsz;
	return true;
}

bool
elfsym_relro(const struct elf_file *f, uint64_t *vaddr, uint64_t *memsz)
{
	if (!f->relro_memsz)
		return false;
	*vaddr = f->relro_vaddr;
	*memsz = f->relro_memsz;
	return true;
}

bool
elfsym_needs(struct elf_file *f, const char *soname)
{
	if (!f->dynamic_done)
		dynamic_load(f);
	for (size_t i = 0; soname && i < f->nneeded; i++) {
		/* A library linked by path and without a soname is needed by
		   that path. */
		const char *slash = strrchr(f->needed[i], '/');
		if (strcmp(slash ? slash + 1 : f->needed[i], soname) == 0)
			return true;
	}
	return false;
}

bool
elfsym_keep(struct elf_file *f)
{
	symtab_get(f, TAB_DYNSYM);
	symtab_get(f, TAB_SYMTAB);
	elfsym_build_id(f);
	dynamic_load(f);
	f->kept = true;
	return true;
}
