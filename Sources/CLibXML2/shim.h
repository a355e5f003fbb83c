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

// libxml2 2.9 registers every ID attribute (xml:id) in a document-wide hash table, even when streaming: memory then
// grows with the file, and its weak hash function makes the table quadratic on corpora with millions of xml:ids
// (Folger TEI: one per line). The parser context's `loadsubset` flag XML_SKIP_IDS turns registration off, but the
// reader does not expose its context, so read it from the reader's first fields (mode, doc, validate, allocs,
// state, ctxt: stable in libxml2 2.9-2.10) and trust it only if the context points back to this reader (the reader
// stores itself in `_private`). Returns 1 when IDs are skipped, 0 when the layout did not match (then nothing is
// changed and only performance suffers).
static inline int montague_readerSkipIDs(xmlTextReaderPtr reader) {
    struct montague_textReaderPrefix {
        int mode;
        xmlDocPtr doc;
        int validate;
        int allocs;
        int state;
        xmlParserCtxtPtr ctxt;
    };
    if (reader == NULL) return 0;
#if LIBXML_VERSION < 20900 || LIBXML_VERSION >= 21100
    return 0;  // layout only known for 2.9-2.10: never dereference a guess
#endif
    xmlParserCtxtPtr context = ((struct montague_textReaderPrefix *)(void *)reader)->ctxt;
    if (context == NULL || context->_private != (void *)reader) return 0;
    context->loadsubset |= XML_SKIP_IDS;
    return 1;
}
#endif
