/* target.c: what we are asked to run, checked before anything starts. */
#include "cli.h"
#include <elf.h>
#include <gelf.h>
#include <libelf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

uint64_t file_hash(const char *path, int *err) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  *err = 0;
  if (fd < 0) { *err = errno; return 0; }
  uint64_t h = 0xcbf29ce484222325ULL;
  unsigned char buf[1 << 16];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0)
    for (ssize_t i = 0; i < n; i++) h = (h ^ buf[i]) * 0x100000001b3ULL;
  if (n < 0) *err = errno;
  close(fd);
  return h;
}

/* Search PATH the way execvp does, for a name without a slash. */
static int resolve(const char *name, char *out, size_t n) {
  if (strchr(name, '/')) {
    if (!realpath(name, out)) return -1;
    return 0;
  }
  const char *path = getenv("PATH");
  if (!path) path = "/usr/bin:/bin";
  while (*path) {
    const char *e = strchr(path, ':');
    size_t len = e ? (size_t)(e - path) : strlen(path);
    char cand[PATH_MAX];
    snprintf(cand, sizeof cand, "%.*s/%s", (int)len, path, name);
    if (access(cand, X_OK) == 0 && realpath(cand, out)) return 0;
    path += len + (e ? 1 : 0);
  }
  (void)n;
  errno = ENOENT;
  return -1;
}

/* The runtime: $INTERLEAVE_RUNTIME; else next to our own executable (the
 * build tree: build/interleave and build/libinterleave.so); else where
 * `make install` puts it, PREFIX/lib/interleave/ for PREFIX/bin/interleave. */
int find_runtime(char *out, size_t n) {
  const char *env = getenv("INTERLEAVE_RUNTIME");
  if (env && *env) {
    if (!realpath(env, out)) die_usage("INTERLEAVE_RUNTIME=%s: %s", env, strerror(errno));
    return 0;
  }
  char self[PATH_MAX];
  ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
  if (k < 0) die_tool("cannot find our own executable: %s", strerror(errno));
  self[k] = 0;
  char *slash = strrchr(self, '/');
  *slash = 0;
  char built[PATH_MAX + 32], installed[PATH_MAX + 48];
  snprintf(built, sizeof built, "%s/libinterleave.so", self);
  snprintf(installed, sizeof installed, "%s/../lib/interleave/libinterleave.so", self);
  if (!access(built, R_OK)) {
    snprintf(out, n, "%s", built);
    return 0;
  }
  if (!access(installed, R_OK) && realpath(installed, out)) return 0;
  char prefix[PATH_MAX];
  snprintf(prefix, sizeof prefix, "%s", self);
  slash = strrchr(prefix, '/');
  if (slash) *slash = 0;
  die_tool("runtime not found: neither %s nor %s/lib/interleave/libinterleave.so "
           "(build it with make, install it with make install, or set INTERLEAVE_RUNTIME)", built, prefix);
}

/* A program we can control: a dynamically linked ELF executable. */
static void check_elf(const char *path, const char *shown) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die_usage("%s: %s", shown, strerror(errno));
  Elf64_Ehdr eh;
  if (read(fd, &eh, sizeof eh) != (ssize_t)sizeof eh || memcmp(eh.e_ident, ELFMAG, SELFMAG)) {
    close(fd);
    die_usage("%s: not an ELF executable (scripts are not supported: run the program itself)", shown);
  }
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64) {
    close(fd);
    die_usage("%s: not an x86-64 ELF executable", shown);
  }
  int interp = 0;
  for (int i = 0; i < eh.e_phnum; i++) {
    Elf64_Phdr ph;
    if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) != (ssize_t)sizeof ph) break;
    if (ph.p_type == PT_INTERP) interp = 1;
  }
  close(fd);
  if (!interp)
    die_usage("%s: statically linked (no PT_INTERP): interleave cannot intercept its pthread calls; "
              "link it dynamically", shown);
}

/* Which sanitizer runtime the program carries.  AddressSanitizer and
 * UBSan run under interleave (sanitizer.c: how they are started, and
 * runtime/sanitizer.c: how their reports become verdicts); ASan's shared
 * runtime must come first in the process, so the DT_NEEDED name it is
 * linked by (libasan.so.8) goes before ours in LD_PRELOAD.  A runtime
 * linked into the executable (clang's default) is there already, first.
 * ThreadSanitizer's runtime intercepts the same calls as ours to the
 * opposite end (it runs threads in parallel and watches them), and is
 * refused with the way to get its race reports under interleave. */
void target_sanitizers(struct target *t, const char *shown) {
  t->san_preload[0] = 0;
  t->asan = t->ubsan = 0;
  int fd = open(t->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  elf_version(EV_CURRENT);
  Elf *e = elf_begin(fd, ELF_C_READ, NULL);
  Elf_Scn *scn = NULL;
  const char *refused = NULL;
  while (e && (scn = elf_nextscn(e, scn))) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh)) continue;
    Elf_Data *d = elf_getdata(scn, NULL);
    size_t n = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
    if (sh.sh_type == SHT_DYNAMIC) {
      for (size_t i = 0; d && i < n; i++) {
        GElf_Dyn dyn;
        if (!gelf_getdyn(d, (int)i, &dyn) || dyn.d_tag != DT_NEEDED) continue;
        const char *lib = elf_strptr(e, sh.sh_link, dyn.d_un.d_val);
        if (!lib) continue;
        if (!strncmp(lib, "libasan", 7) && strlen(lib) < sizeof t->san_preload) {
          snprintf(t->san_preload, sizeof t->san_preload, "%s", lib);
          t->asan = 1;
        } else if (!strncmp(lib, "libubsan", 8)) t->ubsan = 1;
        else if (strstr(lib, "libtsan")) refused = "ThreadSanitizer (libtsan)";
        else if (strstr(lib, "libhwasan")) refused = "HWAddressSanitizer (libhwasan)";
      }
    } else if (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM) {
      /* A runtime linked in (clang): its entry points are defined here.
       * (An `interleave cc` build only calls __tsan_* hooks: undefined.) */
      for (size_t i = 0; d && i < n; i++) {
        GElf_Sym sym;
        if (!gelf_getsym(d, (int)i, &sym) || sym.st_shndx == SHN_UNDEF) continue;
        const char *name = elf_strptr(e, sh.sh_link, sym.st_name);
        if (!name || name[0] != '_' || name[1] != '_') continue;
        if (!strcmp(name, "__asan_init")) t->asan = 1;
        else if (!strncmp(name, "__ubsan_handle_", 15)) t->ubsan = 1;
        else if (!strcmp(name, "__tsan_init")) refused = "ThreadSanitizer";
        else if (!strcmp(name, "__hwasan_init")) refused = "HWAddressSanitizer";
      }
    }
  }
  if (e) elf_end(e);
  close(fd);
  if (refused)
    die_usage("%s: built with %s, which runs threads its own way and cannot be combined with interleave's "
              "scheduler; for data races, build it with `interleave cc` instead", shown, refused);
}

int target_init(struct target *t, int argc, char **argv) {
  if (argc < 1) die_usage("no program given: interleave run [options] -- PROGRAM [ARGS...]");
  if (resolve(argv[0], t->path, sizeof t->path)) die_usage("%s: %s", argv[0], strerror(errno));
  struct stat st;
  if (stat(t->path, &st) || !S_ISREG(st.st_mode)) die_usage("%s: not a regular file", argv[0]);
  if (access(t->path, X_OK)) die_usage("%s: not executable", argv[0]);
  check_elf(t->path, argv[0]);
  target_sanitizers(t, argv[0]);
  int err;
  t->hash = file_hash(t->path, &err);
  if (err) die_usage("%s: %s", argv[0], strerror(err));
  t->argc = argc;
  t->argv = argv;
  find_runtime(t->runtime, sizeof t->runtime);
  return 0;
}
