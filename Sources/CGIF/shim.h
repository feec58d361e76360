#ifndef EXHIBIT_CGIF_SHIM_H
#define EXHIBIT_CGIF_SHIM_H
// giflib: the first frame of a GIF.
#include <gif_lib.h>
#endif
