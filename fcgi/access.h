/*
 * access.h — who may read which journal.
 *
 * A journal is readable when its owner made it public, and by its owner's
 * session (session.h) whatever its visibility; to anyone else a private or
 * unknown one answers 404 alike, so the API never tells which users
 * exist.  route.c calls access_user() for every route whose table entry
 * carries ROUTE_USER, before the handler runs, so no handler has to
 * remember it.
 *
 * Error convention: 0 / -1 (the error response is then set).
 */
#ifndef LN_ACCESS_H
#define LN_ACCESS_H

#include "app.h"
#include "http.h"

/*
 * Whether the request may read user id's journal.  Needs c->app->txn
 * begun.  Fills c->user (a copy; it holds tokens, the caller wipes it)
 * and returns 0, or returns -1 after setting a 404 (a private journal
 * looks exactly like a missing one) or a 500 (the store failed).
 */
int	access_user(struct ctx *c, struct resp *r, const char *id);

#endif
