/* ELF symbolizer (libelf): symbols, build-id, vtable slots, and the
   properties that keep a library mapped after dlclose.  One struct elf_file
   per file, opened from a descriptor held while the file was mapped, so that
   a plugin rebuilt or deleted on disk is still read as it was loaded. */
#ifndef TA_ELFSYM_H
#define TA_ELFSYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elf_file;

struct elf_symbol {
	const char *name;	/* mangled, owned by the elf_file */
	uint64_t value;		/* st_value: link-time virtual address */
	uint64_t size;
	unsigned char type;	/* STT_* */
	unsigned char bind;	/* STB_* (STB_GNU_UNIQUE is 10) */
	bool from_symtab;	/* .symtab rather than .dynsym */
};

struct elf_segment {		/* one PT_LOAD */
	uint64_t vaddr, memsz, offset, filesz;
	unsigned int flags;	/* PF_R | PF_W | PF_X */
};

/* Takes ownership of fd (closed by elfsym_close, or here on failure).
   display_path is copied and only used in messages.  Returns NULL for a
   file that is not a readable ELF file (message printed with debug_msg). */
struct elf_file *elfsym_open_fd(int fd, const char *display_path);
/* Convenience for tests and for ld.so: open(path) then elfsym_open_fd. */
struct elf_file *elfsym_open_path(const char *path);
void elfsym_close(struct elf_file *f);
/* Read now what a diagnosis of the file needs after it is unloaded and
   perhaps rewritten in place (same inode): its symbol tables, build-id
   and dynamic section, and nothing else (no code, no DWARF).  Its
   relocations, as big as all of that, are read when first needed, unless
   the file has changed on disk by then. */
bool elfsym_keep(struct elf_file *f);
/* The file's size or modification time is not what it was when opened:
   rewritten in place.  Said once with --debug. */
bool elfsym_changed_on_disk(struct elf_file *f);

/* Read the whole file into memory now, so that later lookups see it as it
   is at this moment even if it is rewritten in place (same inode) after
   it is unloaded.  False if it could not be read. */
bool elfsym_read_all(struct elf_file *f);

const char *elfsym_path(const struct elf_file *f);
/* The libelf handle, for reading DWARF from the same open file. */
struct Elf *elfsym_elf_handle(const struct elf_file *f);
/* The descriptor it is read through (owned by f): /proc/self/fd/N names
   the file as it was opened, even once deleted. */
int elfsym_fd(const struct elf_file *f);
/* Lowercase hex build-id from the NT_GNU_BUILD_ID note, or NULL. */
const char *elfsym_build_id(struct elf_file *f);
/* ET_DYN (shared object or PIE) rather than ET_EXEC. */
bool elfsym_is_dyn(const struct elf_file *f);

/* The start of the file that is mapped as it is and never written at run
   time: the ELF header, the program headers and the notes (the build-id
   among them), as far as the PT_LOAD that maps offset 0 holds them, at
   most 4 KiB.  Returns its size (0 if no PT_LOAD maps the headers) and
   the link-time vaddr of offset 0.  Reads no section data. */
size_t elfsym_head_span(struct elf_file *f, uint64_t *vaddr);

/* PT_LOAD segments in file order. */
const struct elf_segment *elfsym_segments(struct elf_file *f, size_t *n);
/* PT_GNU_EH_FRAME: the .eh_frame_hdr search table of the unwind info. */
bool elfsym_eh_frame_hdr(const struct elf_file *f, uint64_t *vaddr, uint64_t *memsz);
/* PT_GNU_RELRO: what the dynamic linker makes read-only after relocating. */
bool elfsym_relro(const struct elf_file *f, uint64_t *vaddr, uint64_t *memsz);
/* Map a file offset (from /proc/PID/maps) to a link-time vaddr via the
   PT_LOAD that contains it.  False if no segment covers it. */
bool elfsym_offset_to_vaddr(struct elf_file *f, uint64_t offset, uint64_t *vaddr);

/* The name of the allocated section that holds vaddr (".rodata"), or NULL. */
const char *elfsym_section_name(struct elf_file *f, uint64_t vaddr);

/* The symbol containing vaddr: .symtab first (static functions and local
   vtables live only there), then .dynsym.  A sized symbol must contain vaddr;
   a zero-sized one matches only exactly.  Among candidates prefer
   FUNC/OBJECT over NOTYPE, GLOBAL over LOCAL. */
bool elfsym_lookup(struct elf_file *f, uint64_t vaddr, struct elf_symbol *out);
/* Look a defined symbol up by exact (mangled) name, .dynsym then .symtab;
   version suffixes ("@@GLIBC_2.34") are not part of the name. */
bool elfsym_find(struct elf_file *f, const char *name, struct elf_symbol *out);
/* The same in .dynsym only: what takes part in dynamic symbol binding
   (.symtab, often large, is not read). */
bool elfsym_find_dynamic(struct elf_file *f, const char *name, struct elf_symbol *out);

/* What the 8-byte word at vaddr holds after relocation, when it is a code or
   data address inside this same file or a named symbol: R_X86_64_RELATIVE
   (addend looked up with elfsym_lookup), R_X86_64_64 / GLOB_DAT (its symbol),
   or, in a file without a relocation there, the word in the file contents.
   For a vtable slot this names the virtual function.  target->value is the
   resolved vaddr in this file (0 for an undefined symbol). */
bool elfsym_resolve_word(struct elf_file *f, uint64_t vaddr, struct elf_symbol *target);

/* Every defined STB_GNU_UNIQUE symbol in .dynsym, calling cb for each. */
size_t elfsym_for_each_unique(struct elf_file *f,
			      void (*cb)(const struct elf_symbol *sym, void *arg), void *arg);
/* DT_FLAGS_1 has DF_1_NODELETE. */
bool elfsym_has_nodelete(struct elf_file *f);
/* DT_SONAME, or NULL. */
const char *elfsym_soname(struct elf_file *f);
/* A DT_NEEDED entry names soname (or a path ending in it). */
bool elfsym_needs(struct elf_file *f, const char *soname);

#endif
