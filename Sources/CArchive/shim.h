#ifndef EXHIBIT_CARCHIVE_SHIM_H
#define EXHIBIT_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
#endif
