/*
 * version.h — the one version number of linernotes, shared by both
 * programs, the health endpoint and the man pages' prose.
 */
#ifndef LN_VERSION_H
#define LN_VERSION_H

#define LINERNOTES_VERSION	"0.1.0"

#endif
