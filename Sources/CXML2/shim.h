// libxml2's HTML push parser (SAX mode) for Telegram Desktop HTML exports.
#include <libxml/parser.h>
#include <libxml/HTMLparser.h>
#include <libxml/xmlerror.h>
