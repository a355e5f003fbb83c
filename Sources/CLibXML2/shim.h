#ifndef MONTAGUE_CLIBXML2_SHIM_H
#define MONTAGUE_CLIBXML2_SHIM_H
// libxml2's headers pull in the system ICU headers when LIBXML_ICU_ENABLED is set, and those clash with
// Foundation's own ICU ("'UErrorCode' has different definitions"). Read the version header first, switch ICU off.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>
#include <libxml/xmlIO.h>

// Swift 6 rejects C global variables such as `xmlFree`: call it through a function.
static inline void montague_xmlFree(void *pointer) { xmlFree(pointer); }

// External resources (DTDs, external entities) are refused unless the parse was opened with XML_PARSE_DTDLOAD,
// which Montague sets only when the user asks for local DTDs and entities; even then nothing comes from the network.
// libxml2 with XML_PARSE_NOENT would otherwise read any file an entity names (XXE).
static xmlParserInputPtr montague_restrictedEntityLoader(const char *url, const char *identifier,
                                                         xmlParserCtxtPtr context) {
    if (context != NULL && (context->options & XML_PARSE_DTDLOAD) != 0) {
        return xmlNoNetExternalEntityLoader(url, identifier, context);
    }
    return NULL;
}

// Installs the restricted loader process-wide (idempotent; libxml2 keeps one loader per process).
static inline void montague_installRestrictedEntityLoader(void) {
    if (xmlGetExternalEntityLoader() != montague_restrictedEntityLoader) {
        xmlSetExternalEntityLoader(montague_restrictedEntityLoader);
    }
}

#endif
