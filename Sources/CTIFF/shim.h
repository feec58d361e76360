#ifndef EXHIBIT_CTIFF_SHIM_H
#define EXHIBIT_CTIFF_SHIM_H
// libtiff: RGBA decode of the first directory from a client (in-memory) stream.
#include <tiffio.h>
#endif
