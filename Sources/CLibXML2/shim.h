#ifndef MONTAGUE_CLIBXML2_SHIM_H
#define MONTAGUE_CLIBXML2_SHIM_H
// libxml2's headers pull in the system ICU headers when LIBXML_ICU_ENABLED is set, and those clash with
// Foundation's own ICU ("'UErrorCode' has different definitions"). Read the version header first, switch ICU off.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>
#include <libxml/xmlIO.h>

// Swift 6 rejects C global variables such as `xmlFree`: call it through a function.
static inline void montague_xmlFree(void *pointer) { xmlFree(pointer); }
#endif
