/* elfsym.c: find a libc function without dlsym.
 *
 * dlsym and dlvsym may call malloc (for their error state).  A program
 * whose malloc takes a pthread mutex (jemalloc, tcmalloc) would then call
 * our pthread_mutex_trylock while we resolve the real one, which resolves
 * again, which mallocs again, until the stack overflows before main.  So
 * the runtime looks its libc functions up itself, in libc's own dynamic
 * symbol table (GNU hash, symbol versions), which allocates nothing; dlsym
 * remains the fallback for anything that is not in libc.
 */
#include "rt.h"
#include <elf.h>
#include <link.h>
#include <string.h>

/* Set once, by the first lookup; read-only afterwards. */
static struct {
  int tried;
  ElfW(Addr) base;
  const ElfW(Sym) *sym;
  const char *str;
  const uint32_t *gnu;
  const ElfW(Half) *versym;
  const ElfW(Verdef) *verdef;
} libc;

static ElfW(Addr) reloc(ElfW(Addr) p) {
  /* ld.so relocates these d_ptr entries in place on x86_64; be safe if
   * it did not. */
  return p < libc.base ? p + libc.base : p;
}

const char *il_object_name(const struct dl_phdr_info *info) {
  const char *n = info->dlpi_name ? info->dlpi_name : "", *slash = strrchr(n, '/');
  return slash ? slash + 1 : n;
}

int il_object_is_runtime(const struct dl_phdr_info *info) {
  uint64_t anchor = (uint64_t)(uintptr_t)&libc; /* any object of ours */
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    uint64_t lo = info->dlpi_addr + ph->p_vaddr;
    if (ph->p_type == PT_LOAD && anchor >= lo && anchor < lo + ph->p_memsz) return 1;
  }
  return 0;
}

void il_object_exec_ranges(const struct dl_phdr_info *info, struct il_range *r, int *n, int max) {
  for (int i = 0; i < info->dlpi_phnum && *n < max; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X)) continue;
    r[*n].lo = info->dlpi_addr + ph->p_vaddr;
    r[*n].hi = r[*n].lo + ph->p_memsz;
    ++*n;
  }
}

static int find_libc(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size; (void)data;
  if (strncmp(il_object_name(info), "libc.so.", 8)) return 0;
  libc.base = info->dlpi_addr;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    if (info->dlpi_phdr[i].p_type != PT_DYNAMIC) continue;
    for (const ElfW(Dyn) *d = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr); d->d_tag != DT_NULL; d++) {
      switch (d->d_tag) {
      case DT_SYMTAB: libc.sym = (const ElfW(Sym) *)reloc(d->d_un.d_ptr); break;
      case DT_STRTAB: libc.str = (const char *)reloc(d->d_un.d_ptr); break;
      case DT_GNU_HASH: libc.gnu = (const uint32_t *)reloc(d->d_un.d_ptr); break;
      case DT_VERSYM: libc.versym = (const ElfW(Half) *)reloc(d->d_un.d_ptr); break;
      case DT_VERDEF: libc.verdef = (const ElfW(Verdef) *)reloc(d->d_un.d_ptr); break;
      }
    }
  }
  return 1;
}

static uint32_t gnu_hash(const char *s) {
  uint32_t h = 5381;
  for (; *s; s++) h = h * 33 + (unsigned char)*s;
  return h;
}

/* The name of version index ndx, or NULL. */
static const char *version_name(unsigned ndx) {
  const ElfW(Verdef) *v = libc.verdef;
  while (v) {
    if (v->vd_ndx == ndx) {
      const ElfW(Verdaux) *a = (const ElfW(Verdaux) *)((const char *)v + v->vd_aux);
      return libc.str + a->vda_name;
    }
    if (!v->vd_next) break;
    v = (const ElfW(Verdef) *)((const char *)v + v->vd_next);
  }
  return NULL;
}

/* name@version in libc (version NULL: the default version), or NULL. */
void *il_libc_sym(const char *name, const char *version) {
  if (!libc.tried) {
    libc.tried = 1;
    dl_iterate_phdr(find_libc, NULL);
  }
  if (!libc.sym || !libc.str || !libc.gnu) return NULL;
  const uint32_t *h = libc.gnu;
  uint32_t nbuckets = h[0], symoffset = h[1], bloom_size = h[2];
  const uint32_t *buckets = (const uint32_t *)((const ElfW(Addr) *)(h + 4) + bloom_size);
  const uint32_t *chain = buckets + nbuckets;
  uint32_t hash = gnu_hash(name);
  uint32_t i = buckets[hash % nbuckets];
  if (i < symoffset) return NULL;
  for (;; i++) {
    uint32_t h2 = chain[i - symoffset];
    const ElfW(Sym) *s = &libc.sym[i];
    if ((hash | 1) == (h2 | 1) && s->st_shndx != SHN_UNDEF && s->st_value && !strcmp(libc.str + s->st_name, name)) {
      int ok = 1;
      if (libc.versym) {
        ElfW(Half) vs = libc.versym[i];
        if (version) {
          const char *vn = version_name(vs & 0x7fff);
          ok = vn && !strcmp(vn, version);
        } else {
          ok = !(vs & 0x8000); /* hidden: not the default version */
        }
      }
      if (ok) {
        void *p = (void *)(libc.base + s->st_value);
        if (ELF64_ST_TYPE(s->st_info) == STT_GNU_IFUNC) p = ((void *(*)(void))p)();
        return p;
      }
    }
    if (h2 & 1) return NULL;
  }
}
