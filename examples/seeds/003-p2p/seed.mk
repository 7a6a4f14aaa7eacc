SEED_VARIANTS += p2p-buggy
p2p-buggy_SRCS   := examples/seeds/003-p2p/p2p_pending_connection.c
p2p-buggy_CFLAGS := -DVARIANT=VARIANT_BUGGY
p2p-buggy_LIBS   :=
p2p-buggy_EXPECT := bug
p2p-buggy_KIND   := stall

SEED_VARIANTS += p2p-fixed
p2p-fixed_SRCS   := examples/seeds/003-p2p/p2p_pending_connection.c
p2p-fixed_CFLAGS := -DVARIANT=VARIANT_FIXED
p2p-fixed_LIBS   :=
p2p-fixed_EXPECT := ok
p2p-fixed_KIND   :=

SEED_VARIANTS += p2p-buggy-bounded
p2p-buggy-bounded_SRCS   := examples/seeds/003-p2p/p2p_pending_connection.c
p2p-buggy-bounded_CFLAGS := -DVARIANT=VARIANT_BUGGY_BOUNDED
p2p-buggy-bounded_LIBS   :=
p2p-buggy-bounded_EXPECT := bug
p2p-buggy-bounded_KIND   := assertion-failure

# The buggy variant built with interleave cc: the report's unsynchronized
# read of the handler list in emit() is a data race (issue 4).
SEED_VARIANTS += p2p-buggy-race
p2p-buggy-race_SRCS   := examples/seeds/003-p2p/p2p_pending_connection.c
p2p-buggy-race_CFLAGS := -DVARIANT=VARIANT_BUGGY
p2p-buggy-race_LIBS   :=
p2p-buggy-race_EXPECT := bug
p2p-buggy-race_KIND   := data-race
p2p-buggy-race_TSAN   := 1

# The fixed variant built with interleave cc: no race, no stall.
SEED_VARIANTS += p2p-fixed-race
p2p-fixed-race_SRCS   := examples/seeds/003-p2p/p2p_pending_connection.c
p2p-fixed-race_CFLAGS := -DVARIANT=VARIANT_FIXED
p2p-fixed-race_LIBS   :=
p2p-fixed-race_EXPECT := ok
p2p-fixed-race_TSAN   := 1
