# Seed 001: process supervisor over a pooled SQLite database (hero_proc #128).
SEED_VARIANTS += sup-buggy
sup-buggy_SRCS   := examples/seeds/001-supervisor/supervisor.c
sup-buggy_CFLAGS := -DVARIANT=SUP_BUGGY
sup-buggy_LIBS   := -lsqlite3
sup-buggy_EXPECT := bug
sup-buggy_KIND   := assertion-failure

SEED_VARIANTS += sup-fixed
sup-fixed_SRCS   := examples/seeds/001-supervisor/supervisor.c
sup-fixed_CFLAGS := -DVARIANT=SUP_FIXED
sup-fixed_LIBS   := -lsqlite3
sup-fixed_EXPECT := ok
sup-fixed_KIND   :=
