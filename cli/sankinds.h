/* sankinds.h: the kinds of sanitizer report that become bugs of their own
 * kind (the verdict IL_V_SANITIZER), named as the sanitizer's SUMMARY line
 * names them: "SUMMARY: AddressSanitizer: heap-use-after-free a.c:12 in f".
 * An X-macro list, SAN_KIND(identifier, name): cli.h makes one enum
 * bug_kind per line (BUG_SAN_<identifier>), schedfile.c the names.  A
 * fixed list, not the text itself, because a kind is a number everywhere
 * (schedule files, suppressions, --keep-going's dedup) and must parse
 * back; a name not listed here is "sanitizer-error" (the report keeps the
 * sanitizer's own words).  ASan's names are gcc 12's and clang 14's
 * (asan_errors.cpp); UBSan's fatal reports reach us without their text
 * (runtime/sanitizer.c), as its SUMMARY names them: "undefined-behavior". */
SAN_KIND(OTHER, "sanitizer-error")
SAN_KIND(HEAP_USE_AFTER_FREE, "heap-use-after-free")
SAN_KIND(HEAP_BUFFER_OVERFLOW, "heap-buffer-overflow")
SAN_KIND(DOUBLE_FREE, "double-free")
SAN_KIND(BAD_FREE, "bad-free")
SAN_KIND(STACK_BUFFER_OVERFLOW, "stack-buffer-overflow")
SAN_KIND(STACK_BUFFER_UNDERFLOW, "stack-buffer-underflow")
SAN_KIND(DYNAMIC_STACK_BUFFER_OVERFLOW, "dynamic-stack-buffer-overflow")
SAN_KIND(STACK_USE_AFTER_RETURN, "stack-use-after-return")
SAN_KIND(STACK_USE_AFTER_SCOPE, "stack-use-after-scope")
SAN_KIND(GLOBAL_BUFFER_OVERFLOW, "global-buffer-overflow")
SAN_KIND(USE_AFTER_POISON, "use-after-poison")
SAN_KIND(CONTAINER_OVERFLOW, "container-overflow")
SAN_KIND(INTRA_OBJECT_OVERFLOW, "intra-object-overflow")
SAN_KIND(INIT_ORDER_FIASCO, "initialization-order-fiasco")
SAN_KIND(UNKNOWN_CRASH, "unknown-crash")
SAN_KIND(WILD_ADDR_READ, "wild-addr-read")
SAN_KIND(WILD_ADDR_WRITE, "wild-addr-write")
SAN_KIND(WILD_ADDR, "wild-addr")
SAN_KIND(WILD_JUMP, "wild-jump")
SAN_KIND(ALLOC_DEALLOC_MISMATCH, "alloc-dealloc-mismatch")
SAN_KIND(NEW_DELETE_TYPE_MISMATCH, "new-delete-type-mismatch")
SAN_KIND(BAD_MALLOC_USABLE_SIZE, "bad-malloc_usable_size")
SAN_KIND(CALLOC_OVERFLOW, "calloc-overflow")
SAN_KIND(REALLOCARRAY_OVERFLOW, "reallocarray-overflow")
SAN_KIND(PVALLOC_OVERFLOW, "pvalloc-overflow")
SAN_KIND(INVALID_ALLOCATION_ALIGNMENT, "invalid-allocation-alignment")
SAN_KIND(INVALID_ALIGNED_ALLOC_ALIGNMENT, "invalid-aligned-alloc-alignment")
SAN_KIND(INVALID_POSIX_MEMALIGN_ALIGNMENT, "invalid-posix-memalign-alignment")
SAN_KIND(ALLOCATION_SIZE_TOO_BIG, "allocation-size-too-big")
SAN_KIND(OUT_OF_MEMORY, "out-of-memory")
SAN_KIND(RSS_LIMIT_EXCEEDED, "rss-limit-exceeded")
SAN_KIND(NEGATIVE_SIZE_PARAM, "negative-size-param")
SAN_KIND(MEMCPY_PARAM_OVERLAP, "memcpy-param-overlap")
SAN_KIND(STRCPY_PARAM_OVERLAP, "strcpy-param-overlap")
SAN_KIND(STRNCPY_PARAM_OVERLAP, "strncpy-param-overlap")
SAN_KIND(STRCAT_PARAM_OVERLAP, "strcat-param-overlap")
SAN_KIND(STRNCAT_PARAM_OVERLAP, "strncat-param-overlap")
SAN_KIND(STPCPY_PARAM_OVERLAP, "stpcpy-param-overlap")
SAN_KIND(INVALID_POINTER_PAIR, "invalid-pointer-pair")
SAN_KIND(ODR_VIOLATION, "odr-violation")
SAN_KIND(STACK_OVERFLOW, "stack-overflow")
SAN_KIND(SEGV, "SEGV")
SAN_KIND(UNDEFINED_BEHAVIOR, "undefined-behavior")
