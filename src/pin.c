#include "config.h"
#include "pin.h"
#include "demangle.h"
#include "elfsym.h"
#include "linkmap.h"
#include "solib.h"
#include "tracee.h"
#include "xmalloc.h"

#include <dlfcn.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unique_walk {
	struct process *p;
	const struct solib *l;
	struct pin_reasons *r;
	size_t cap, cap_elsewhere;
};

/* glibc enters a unique symbol in its table the first time a lookup
   resolves it, and pins the object that defines it then.  If an object
   loaded earlier defines the same symbol, lookups find that one first and
   this library is not pinned by it. */
static const struct solib *
earlier_definer(struct process *p, const struct solib *l, const char *name)
{
	for (size_t i = 0; i < p->solib.n && &p->solib.libs[i] != l; i++) {
		const struct solib *o = &p->solib.libs[i];
		struct elf_symbol sym;
		/* Each link-map namespace (dlmopen) looks up in its own. */
		if (o->ns != l->ns)
			continue;
		/* Only what the dynamic linker sees: .dynsym, not .symtab. */
		if (o->elf && elfsym_find(o->elf, name, &sym) && !sym.from_symtab &&
		    sym.bind != STB_LOCAL)
			return o;
	}
	return NULL;
}

static void
on_unique(const struct elf_symbol *sym, void *arg)
{
	struct unique_walk *w = arg;
	struct pin_reasons *r = w->r;
	char *name = demangle(sym->name);
	if (earlier_definer(w->p, w->l, sym->name)) {
		r->unique_elsewhere = xgrow(r->unique_elsewhere, &w->cap_elsewhere,
					    r->n_unique_elsewhere + 1, sizeof(char *));
		r->unique_elsewhere[r->n_unique_elsewhere++] = name;
	} else {
		r->unique = xgrow(r->unique, &w->cap, r->n_unique + 1, sizeof(char *));
		r->unique[r->n_unique++] = name;
	}
}

void
pin_explain(struct process *p, pid_t tid, const struct solib *l, struct pin_reasons *r)
{
	memset(r, 0, sizeof(*r));
	/* __cxa_thread_atexit_impl counts the thread_local destructors an
	   object registered; dlclose keeps it while the count is not 0. */
	r->tls_unknown = !linkmap_tls_dtor_count(p, tid, l->lm, &r->tls_dtors);
	r->rtld_nodelete = l->dlopen_flags > 0 && (l->dlopen_flags & RTLD_NODELETE);
	if (l->dlopen_calls > l->dlclose_calls)
		r->open_handles = l->dlopen_calls - l->dlclose_calls;
	if (!l->elf)
		return;
	r->df_1_nodelete = elfsym_has_nodelete(l->elf);
	/* A dependency of another loaded object stays as long as that one.
	   DT_NEEDED names the soname, or the file for a library without one. */
	const char *soname = elfsym_soname(l->elf);
	if (!soname) {
		const char *path = l->file ? l->file : l->path;
		const char *slash = strrchr(path, '/');
		soname = slash ? slash + 1 : path;
	}
	for (size_t i = 0; soname && i < p->solib.n && !r->needed_by; i++) {
		const struct solib *o = &p->solib.libs[i];
		if (o != l && o->ns == l->ns && o->elf && o->elf != l->elf &&
		    elfsym_needs(o->elf, soname))
			r->needed_by = o->path[0] ? o->path : "the main program";
	}
	struct unique_walk w = { p, l, r, 0, 0 };
	elfsym_for_each_unique(l->elf, on_unique, &w);
}

bool
pin_is_held(const struct pin_reasons *r)
{
	return pin_is_pinned(r) || r->needed_by || r->open_handles || r->tls_dtors;
}

bool
pin_is_pinned(const struct pin_reasons *r)
{
	return r->rtld_nodelete || r->df_1_nodelete || r->n_unique;
}

char *
pin_describe(const struct pin_reasons *r)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);
	if (!f)
		return xstrdup("?");
	const char *sep = "";
	if (r->n_unique) {
		fprintf(f, "pinned by STB_GNU_UNIQUE symbol%s ", r->n_unique > 1 ? "s" : "");
		for (size_t i = 0; i < r->n_unique && i < 3; i++)
			fprintf(f, "%s%s", i ? ", " : "", r->unique[i]);
		if (r->n_unique > 3)
			fprintf(f, " and %zu more", r->n_unique - 3);
		fprintf(f, " (glibc made the library NODELETE when it bound %s)",
			r->n_unique > 1 ? "them" : "it");
		sep = "; ";
	}
	if (r->df_1_nodelete) {
		fprintf(f, "%spinned by DF_1_NODELETE (linked with -z nodelete)", sep);
		sep = "; ";
	}
	if (r->rtld_nodelete) {
		fprintf(f, "%spinned by RTLD_NODELETE given to dlopen", sep);
		sep = "; ";
	}
	if (r->needed_by) {
		fprintf(f, "%sneeded by %s (a DT_NEEDED dependency stays while it does)", sep,
			r->needed_by);
		sep = "; ";
	}
	if (r->open_handles) {
		fprintf(f, "%s%u more dlopen handle%s still open", sep, r->open_handles,
			r->open_handles > 1 ? "s" : "");
		sep = "; ";
	}
	if (r->tls_dtors) {
		fprintf(f, "%skept until its thread_local destructor%s ha%s run (%llu registered "
			"by threads that used its thread_local objects, run when each such thread "
			"ends)", sep, r->tls_dtors > 1 ? "s" : "", r->tls_dtors > 1 ? "ve" : "s",
			(unsigned long long)r->tls_dtors);
		sep = "; ";
	}
	if (!sep[0])
		fprintf(f, "reason unknown: no pin, open handle, dependency%s the tool can see",
			r->tls_unknown ? " (thread_local destructors not known: glibc's count "
			"could not be read)" : " or thread_local destructor");
	if (r->n_unique_elsewhere)
		fprintf(f, "; not pinned by its unique symbol%s %s%s, which bind%s to an object loaded "
			"earlier", r->n_unique_elsewhere > 1 ? "s" : "", r->unique_elsewhere[0],
			r->n_unique_elsewhere > 1 ? ", ..." : "", r->n_unique_elsewhere > 1 ? "" : "s");
	fclose(f);
	return s;
}

void
pin_reasons_free(struct pin_reasons *r)
{
	for (size_t i = 0; i < r->n_unique; i++)
		free(r->unique[i]);
	for (size_t i = 0; i < r->n_unique_elsewhere; i++)
		free(r->unique_elsewhere[i]);
	free(r->unique);
	free(r->unique_elsewhere);
	memset(r, 0, sizeof(*r));
}
