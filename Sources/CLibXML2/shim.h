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
#include <libxml/relaxng.h>

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

// bzip2-compressed input (libxml2 reads gzip and xz itself, not bzip2): a file of one or more bzip2 streams, read
// through libbz2 (Debian: libbz2-dev).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bzlib.h>

typedef struct {
    FILE *file;
    BZFILE *stream;
} montague_bzip2_file;

static inline void *montague_bzip2_open(const char *path) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) return NULL;
    int status = BZ_OK;
    BZFILE *stream = BZ2_bzReadOpen(&status, file, 0, 0, NULL, 0);
    if (status != BZ_OK) {
        fclose(file);
        return NULL;
    }
    montague_bzip2_file *handle = (montague_bzip2_file *)malloc(sizeof(montague_bzip2_file));
    if (handle == NULL) {
        BZ2_bzReadClose(&status, stream);
        fclose(file);
        return NULL;
    }
    handle->file = file;
    handle->stream = stream;
    return handle;
}

// Reads up to `capacity` decompressed bytes: the count, 0 at the end of the last stream, -1 on corrupt or truncated
// data.
static inline int montague_bzip2_read(void *opaque, char *buffer, int capacity) {
    montague_bzip2_file *handle = (montague_bzip2_file *)opaque;
    while (handle->stream != NULL) {
        int status = BZ_OK;
        int count = BZ2_bzRead(&status, handle->stream, buffer, capacity);
        if (status == BZ_OK) return count;
        if (status != BZ_STREAM_END) return -1;
        // The end of one stream: another may follow (parallel compressors write several).
        void *unused = NULL;
        int unusedCount = 0;
        char leftover[BZ_MAX_UNUSED];
        BZ2_bzReadGetUnused(&status, handle->stream, &unused, &unusedCount);
        if (status != BZ_OK) return -1;
        memcpy(leftover, unused, (size_t)unusedCount);
        BZ2_bzReadClose(&status, handle->stream);
        handle->stream = NULL;
        if (unusedCount == 0) {
            int next = fgetc(handle->file);
            if (next == EOF) return count;
            ungetc(next, handle->file);
        }
        handle->stream = BZ2_bzReadOpen(&status, handle->file, 0, 0, unusedCount > 0 ? leftover : NULL, unusedCount);
        if (status != BZ_OK) {
            handle->stream = NULL;
            return -1;
        }
        if (count > 0) return count;
    }
    return 0;
}

static inline void montague_bzip2_close(void *opaque) {
    montague_bzip2_file *handle = (montague_bzip2_file *)opaque;
    int status = BZ_OK;
    if (handle->stream != NULL) BZ2_bzReadClose(&status, handle->stream);
    fclose(handle->file);
    free(handle);
}

#endif
