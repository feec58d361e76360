#ifndef EXHIBIT_CPNG_SHIM_H
#define EXHIBIT_CPNG_SHIM_H
// libpng simplified API (png_image): no setjmp needed from Swift.
#include <png.h>
#endif
