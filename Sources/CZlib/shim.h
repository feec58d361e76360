#ifndef EXHIBIT_CZLIB_SHIM_H
#define EXHIBIT_CZLIB_SHIM_H
// zlib's inflate, for PNG zTXt/iTXt chunks (bounded output: decompression bombs are hostile input).
#include <zlib.h>
#endif
