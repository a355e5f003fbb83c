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
#include <libxml/globals.h>

// Swift 6 rejects C global variables such as `xmlFree`: call it through a function.
static inline void montague_xmlFree(void *pointer) { xmlFree(pointer); }

// libxml2 also prints some errors through its generic (printf-style) handler; a Montague reader reports them itself,
// so while it parses they go here. Swift cannot define a C variadic function.
static inline void montague_ignoreGenericError(void *context, const char *message, ...) {
    (void)context;
    (void)message;
}

// Sends the thread's generic errors to montague_ignoreGenericError; returns the handler to restore.
static inline xmlGenericErrorFunc montague_silenceGenericErrors(void **savedContext) {
    xmlGenericErrorFunc saved = xmlGenericError;
    *savedContext = xmlGenericErrorContext;
    xmlGenericError = montague_ignoreGenericError;
    return saved;
}

// Restores what montague_silenceGenericErrors replaced.
static inline void montague_restoreGenericErrors(xmlGenericErrorFunc handler, void *context) {
    xmlGenericError = handler;
    xmlGenericErrorContext = context;
}

#endif
