/* objects.c: shadow state of the program's synchronization objects, keyed
 * by address in a fixed open-addressing table (no allocation inside the
 * target).  Entries are created on first use, so static initializers work;
 * *_init and *_destroy forget an address so that reused memory starts
 * fresh.  Only the baton holder touches the table. */
#include "rt.h"
#include <string.h>

#define TOMB ((uintptr_t)-1)

static size_t slot_of(uintptr_t a) { return (size_t)((a >> 3) * 0x9e3779b97f4a7c15ULL >> 51) % IL_OBJ_CAP; }

struct il_obj *il_obj_find(void *addr) {
  uintptr_t a = (uintptr_t)addr;
  for (size_t i = slot_of(a), n = 0; n < IL_OBJ_CAP; i = (i + 1) % IL_OBJ_CAP, n++) {
    if (il.objs[i].addr == a) return &il.objs[i];
    if (il.objs[i].addr == 0) return NULL;
  }
  return NULL;
}

static void init_obj(struct il_obj *o, void *addr, int kind) {
  memset(o, 0, sizeof *o);
  o->addr = (uintptr_t)addr;
  o->kind = (uint8_t)kind;
  o->owner = -1;
  o->last_signal_thread = -1;
  switch (kind) {
  case K_MUTEX:
    /* glibc keeps the type in __data.__kind, set by init or by a static
     * initializer; robust/pshared bits above the low two are ignored. */
    o->type = (uint8_t)(((pthread_mutex_t *)addr)->__data.__kind & 3);
    break;
  case K_SEM: {
    int v = 0;
    IL_ENTER();
    il_real.sem_getvalue((sem_t *)addr, &v);
    IL_LEAVE();
    o->count = v;
    break;
  }
  case K_BARRIER:
    /* glibc's struct pthread_barrier: { in, current_round, count, ... } */
    o->needed = (int)((unsigned *)addr)[2];
    break;
  }
}

struct il_obj *il_obj_get(void *addr, int kind) {
  uintptr_t a = (uintptr_t)addr;
  size_t tomb = (size_t)-1;
  for (size_t i = slot_of(a), n = 0; n < IL_OBJ_CAP; i = (i + 1) % IL_OBJ_CAP, n++) {
    struct il_obj *o = &il.objs[i];
    if (o->addr == a) return o;
    if (o->addr == TOMB && tomb == (size_t)-1) tomb = i;
    if (o->addr == 0) {
      if (tomb != (size_t)-1) o = &il.objs[tomb];
      init_obj(o, addr, kind);
      il.nobjs++;
      return o;
    }
  }
  if (tomb != (size_t)-1) { init_obj(&il.objs[tomb], addr, kind); return &il.objs[tomb]; }
  il_finish(IL_V_LIMIT, il_me ? il_me->idx : -1, 0,
            "more than 8192 synchronization objects in one execution");
}

void il_obj_forget(void *addr) {
  struct il_obj *o = il_obj_find(addr);
  if (o) { o->addr = TOMB; o->kind = K_NONE; }
}
