# Seed 000: hyper (server-rendered UI) renderer vs. action handlers; see README.md.
# All variants build from the same five files; -DVARIANT picks the fix.

SEED_VARIANTS += ui-gap-buggy
ui-gap-buggy_SRCS   := examples/seeds/000-ui/server.c examples/seeds/000-ui/render.c examples/seeds/000-ui/actions.c examples/seeds/000-ui/atom.c examples/seeds/000-ui/app.c
ui-gap-buggy_CFLAGS := -DVARIANT=UI_GAP_BUGGY
ui-gap-buggy_LIBS   :=
ui-gap-buggy_EXPECT := bug
ui-gap-buggy_KIND   := assertion-failure

SEED_VARIANTS += ui-gap-fixed
ui-gap-fixed_SRCS   := examples/seeds/000-ui/server.c examples/seeds/000-ui/render.c examples/seeds/000-ui/actions.c examples/seeds/000-ui/atom.c examples/seeds/000-ui/app.c
ui-gap-fixed_CFLAGS := -DVARIANT=UI_GAP_FIXED
ui-gap-fixed_LIBS   :=
ui-gap-fixed_EXPECT := ok

SEED_VARIANTS += ui-torn-buggy
ui-torn-buggy_SRCS   := examples/seeds/000-ui/server.c examples/seeds/000-ui/render.c examples/seeds/000-ui/actions.c examples/seeds/000-ui/atom.c examples/seeds/000-ui/app.c
ui-torn-buggy_CFLAGS := -DVARIANT=UI_TORN_BUGGY
ui-torn-buggy_LIBS   :=
ui-torn-buggy_EXPECT := bug
ui-torn-buggy_KIND   := assertion-failure

SEED_VARIANTS += ui-torn-snapshot
ui-torn-snapshot_SRCS   := examples/seeds/000-ui/server.c examples/seeds/000-ui/render.c examples/seeds/000-ui/actions.c examples/seeds/000-ui/atom.c examples/seeds/000-ui/app.c
ui-torn-snapshot_CFLAGS := -DVARIANT=UI_TORN_SNAPSHOT
ui-torn-snapshot_LIBS   :=
ui-torn-snapshot_EXPECT := bug
ui-torn-snapshot_KIND   := assertion-failure

SEED_VARIANTS += ui-torn-fixed
ui-torn-fixed_SRCS   := examples/seeds/000-ui/server.c examples/seeds/000-ui/render.c examples/seeds/000-ui/actions.c examples/seeds/000-ui/atom.c examples/seeds/000-ui/app.c
ui-torn-fixed_CFLAGS := -DVARIANT=UI_TORN_FIXED
ui-torn-fixed_LIBS   :=
ui-torn-fixed_EXPECT := ok

SEED_VARIANTS += ui-rwlock
ui-rwlock_SRCS   := examples/seeds/000-ui/server.c examples/seeds/000-ui/render.c examples/seeds/000-ui/actions.c examples/seeds/000-ui/atom.c examples/seeds/000-ui/app.c
ui-rwlock_CFLAGS := -DVARIANT=UI_RWLOCK
ui-rwlock_LIBS   :=
ui-rwlock_EXPECT := bug
ui-rwlock_KIND   := assertion-failure
