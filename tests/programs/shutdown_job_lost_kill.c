/* shutdown_job_lost_kill: shutdown_job_lost_bug with the SIGTERM sent by
 * the program itself (kill from an operator thread), no --signal.
 * Expected: assertion failure. */
#define SELF_KILL 1
#include "shutdown_job_lost_bug.c"
