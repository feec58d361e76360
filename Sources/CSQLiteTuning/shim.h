#include <sqlite3.h>

/// Turns off SQLite's memory statistics for the whole process: with them on (the library's
/// default), every allocation SQLite makes takes a process-wide mutex to update its counters.
/// Wraps `sqlite3_config`, a variadic function Swift cannot call. Only valid before SQLite is
/// initialized (before the first connection opens); afterwards it returns SQLITE_MISUSE and
/// changes nothing.
static inline int exhibit_sqlite3_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
