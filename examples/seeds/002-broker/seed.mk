SEED_VARIANTS += broker-global-lock
broker-global-lock_SRCS   := examples/seeds/002-broker/broker_pool.c
broker-global-lock_CFLAGS := -DVARIANT=VARIANT_GLOBAL_LOCK
broker-global-lock_LIBS   :=
broker-global-lock_EXPECT := bug
broker-global-lock_KIND   := assertion-failure

SEED_VARIANTS += broker-first-fix
broker-first-fix_SRCS   := examples/seeds/002-broker/broker_pool.c
broker-first-fix_CFLAGS := -DVARIANT=VARIANT_FIRST_FIX
broker-first-fix_LIBS   :=
broker-first-fix_EXPECT := bug
broker-first-fix_KIND   := assertion-failure

SEED_VARIANTS += broker-final-fix
broker-final-fix_SRCS   := examples/seeds/002-broker/broker_pool.c
broker-final-fix_CFLAGS := -DVARIANT=VARIANT_FINAL_FIX
broker-final-fix_LIBS   :=
broker-final-fix_EXPECT := ok
broker-final-fix_KIND   :=
