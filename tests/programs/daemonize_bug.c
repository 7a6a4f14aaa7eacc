/* daemonize_bug: daemonize_ok with a lost update in the daemon. */
#define BUG 1
#include "daemonize_ok.c"
