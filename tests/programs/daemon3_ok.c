/* daemon3_ok: daemonize_ok through daemon(3). */
#define USE_DAEMON3 1
#include "daemonize_ok.c"
