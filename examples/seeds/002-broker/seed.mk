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
broker-global-lock_ARGS   := --no-lock-hold
broker-first-fix_ARGS   := --no-lock-hold
broker-final-fix_ARGS   := --suppressions examples/seeds/002-broker/interleave.supp

# The same two buggy variants with the model's own deadline check switched
# off (B's deadline pushed out of reach): interleave's lock-hold detector
# must name the pool lock held across the prompt by itself (issue 4).  The
# suppression file lets the per-connection mutex be held across a prompt,
# as the real fix does; broker-final-fix runs with it and must stay clean.
SEED_VARIANTS += broker-global-lock-detect
broker-global-lock-detect_SRCS   := examples/seeds/002-broker/broker_pool.c
broker-global-lock-detect_CFLAGS := -DVARIANT=VARIANT_GLOBAL_LOCK -DREPLY_DEADLINE_MS=1000000000
broker-global-lock-detect_LIBS   :=
broker-global-lock-detect_EXPECT := bug
broker-global-lock-detect_KIND   := lock-hold
broker-global-lock-detect_ARGS   := --suppressions examples/seeds/002-broker/interleave.supp

SEED_VARIANTS += broker-first-fix-detect
broker-first-fix-detect_SRCS   := examples/seeds/002-broker/broker_pool.c
broker-first-fix-detect_CFLAGS := -DVARIANT=VARIANT_FIRST_FIX -DREPLY_DEADLINE_MS=1000000000
broker-first-fix-detect_LIBS   :=
broker-first-fix-detect_EXPECT := bug
broker-first-fix-detect_KIND   := lock-hold
broker-first-fix-detect_ARGS   := --suppressions examples/seeds/002-broker/interleave.supp
