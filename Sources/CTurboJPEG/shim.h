#ifndef EXHIBIT_CTurboJPEG_SHIM_H
#define EXHIBIT_CTurboJPEG_SHIM_H
// libjpeg-turbo TurboJPEG API: JPEG decode with DCT-domain scaling (media hasher).
#include <turbojpeg.h>
#endif
