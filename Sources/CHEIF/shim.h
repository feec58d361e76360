#ifndef EXHIBIT_CHEIF_SHIM_H
#define EXHIBIT_CHEIF_SHIM_H
// libheif: HEIC/HEIF primary image (grid tiles assembled by the library).
#include <libheif/heif.h>
#endif
