/* symbols.c: code and data addresses to names, for reports and for
 * suppressions.  The runtime records raw addresses only; the CLI maps them
 * with libdwfl over the fork server's /proc/self/maps (saved in shared
 * memory, since the execution's process is gone by then).  One Dwfl is
 * kept for as long as the maps are the same. */
#include "cli.h"
#include <elfutils/libdwfl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The C++ ABI's demangler, from libstdc++ (callable from C). */
extern char *__cxa_demangle(const char *mangled, char *buf, size_t *n, int *status);
static void demangle(const char *name, char *out, size_t n) {
  int st = -1;
  char *d = name[0] == '_' && name[1] == 'Z' ? __cxa_demangle(name, NULL, NULL, &st) : NULL;
  snprintf(out, n, "%s", d && st == 0 ? d : name);
  free(d);
}
static Dwfl *dwfl;
static char maps_sig[256]; /* start of the maps text the cache was built from */

/* Separate debug files, found the way elfutils' own tools (eu-stack,
 * eu-addr2line) find them, so a stripped binary or library whose debug
 * package is installed still gets function names and lines: by build-id,
 * DIR/.build-id/xx/yyyy.debug, and by .gnu_debuglink, next to the binary,
 * in its .debug/, or under DIR plus the binary's directory.  DIR is
 * /usr/lib/debug, or the directories (colon-separated) of
 * INTERLEAVE_DEBUG_PATH: a tree of one's own, or a test's. */
static char *debuginfo_path;
static const Dwfl_Callbacks callbacks = {
    .find_elf = dwfl_linux_proc_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .debuginfo_path = &debuginfo_path,
};

void sym_use(const char *maps) {
  /* Cached: the maps of one program stay the same for a whole run. */
  if (dwfl && !strncmp(maps_sig, maps, sizeof maps_sig - 1)) return;
  if (dwfl) dwfl_end(dwfl);
  if (!debuginfo_path) {
    static char path[4096];
    const char *dirs = getenv("INTERLEAVE_DEBUG_PATH");
    /* "": the binary's own directory; ".debug": its subdirectory. */
    snprintf(path, sizeof path, ":.debug:%s", dirs && *dirs ? dirs : "/usr/lib/debug");
    debuginfo_path = path;
  }
  snprintf(maps_sig, sizeof maps_sig, "%s", maps);
  dwfl = dwfl_begin(&callbacks);
  if (!dwfl) return;
  FILE *f = fmemopen((void *)maps, strnlen(maps, IL_MAPS_SIZE), "r");
  if (!f || dwfl_linux_proc_maps_report(dwfl, f) != 0) {
    if (f) fclose(f);
    dwfl_end(dwfl);
    dwfl = NULL;
    return;
  }
  fclose(f);
  dwfl_report_end(dwfl, NULL, NULL);
}

int sym_in_runtime(uint64_t pc) {
  if (!dwfl) return 0;
  Dwfl_Module *m = dwfl_addrmodule(dwfl, pc);
  const char *name = m ? dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, NULL, NULL) : NULL;
  return name && strstr(name, "libinterleave");
}

/* Function and "file:line" of a code address (ret: a return address, so
 * the call instruction is the byte before). */
void sym_pc(uint64_t pc, int ret, char *fn, size_t fnn, char *loc, size_t locn) {
  snprintf(fn, fnn, "0x%" PRIx64, pc);
  loc[0] = 0;
  if (!dwfl || !pc) return;
  Dwarf_Addr a = ret ? pc - 1 : pc;
  Dwfl_Module *m = dwfl_addrmodule(dwfl, a);
  if (!m) return;
  const char *name = dwfl_module_addrname(m, a);
  if (name) demangle(name, fn, fnn);
  Dwfl_Line *l = dwfl_module_getsrc(m, a);
  int line = 0;
  const char *file = l ? dwfl_lineinfo(l, NULL, &line, NULL, NULL, NULL) : NULL;
  if (file) {
    const char *b = strrchr(file, '/');
    snprintf(loc, locn, "%s:%d", b ? b + 1 : file, line);
  } else {
    const char *mn = dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    const char *b = mn ? strrchr(mn, '/') : NULL;
    if (mn) snprintf(loc, locn, "(%s)", b ? b + 1 : mn);
  }
}

/* The module whose start is the closest below addr: a .bss past the last
 * file-backed page is an anonymous mapping in /proc/self/maps, so libdwfl's
 * module ranges do not cover it, but its symbols do. */
struct nearest { Dwarf_Addr addr, best_start; Dwfl_Module *best; };
static int nearest_cb(Dwfl_Module *m, void **ud, const char *name, Dwarf_Addr start, void *arg) {
  (void)ud; (void)name;
  struct nearest *n = arg;
  if (start <= n->addr && (!n->best || start > n->best_start)) { n->best = m; n->best_start = start; }
  return DWARF_CB_OK;
}

void sym_obj(uint64_t addr, char *out, size_t n) {
  snprintf(out, n, "0x%" PRIx64, addr);
  if (!dwfl || !addr) return;
  Dwfl_Module *m = dwfl_addrmodule(dwfl, addr);
  if (!m) {
    struct nearest nr = {addr, 0, NULL};
    dwfl_getmodules(dwfl, nearest_cb, &nr, 0);
    m = nr.best;
  }
  if (!m) return;
  GElf_Off off;
  GElf_Sym sym;
  const char *name = dwfl_module_addrinfo(m, addr, &off, &sym, NULL, NULL, NULL);
  if (!name || (off >= sym.st_size && !(off == 0 && sym.st_size == 0))) return;
  char dn[256];
  demangle(name, dn, sizeof dn);
  if (off) snprintf(out, n, "%s+%" PRIu64, dn, (uint64_t)off);
  else snprintf(out, n, "%s", dn);
}

int sym_in_libc(uint64_t pc) {
  if (!dwfl) return 0;
  Dwfl_Module *m = dwfl_addrmodule(dwfl, pc);
  const char *name = m ? dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, NULL, NULL) : NULL;
  return name && strstr(name, "/libc.so");
}

