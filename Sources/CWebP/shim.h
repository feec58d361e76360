#ifndef EXHIBIT_CWebP_SHIM_H
#define EXHIBIT_CWebP_SHIM_H
// libwebp decoder.
#include <webp/decode.h>
#endif
