#ifndef EXHIBIT_CXML2_SHIM_H
#define EXHIBIT_CXML2_SHIM_H
// libxml2's HTML push parser (SAX mode) for Telegram Desktop HTML exports.
#include <libxml/xmlversion.h>
// Debian builds libxml2 with ICU; its headers would pull in <unicode/ucnv.h>, which clashes with
// Foundation's bundled ICU module. We never touch the ICU converter fields (only pointers to the
// structs holding them), so hide them.
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/HTMLparser.h>
#include <libxml/xmlerror.h>
#include <libxml/SAX2.h>
// Streaming reader for NCMEC hash-sharing XML exports (hash-set import).
#include <libxml/xmlreader.h>
#endif
