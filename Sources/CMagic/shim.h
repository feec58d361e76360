#ifndef EXHIBIT_CMAGIC_SHIM_H
#define EXHIBIT_CMAGIC_SHIM_H
#include <magic.h>
#endif
