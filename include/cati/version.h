/* version.h: the version of both programs, cati and cati-store, kept in this one place. */
#ifndef CATI_VERSION_H
#define CATI_VERSION_H

#define CATI_VERSION "0.19.0"

#endif
