/*
 * serve.h — the FastCGI side of the reader: accept, translate, answer.
 *
 * The only code that includes fcgiapp.h.  serve_loop() accepts requests on
 * the FastCGI listening socket spawn-fcgi handed over (descriptor 0), turns
 * each into a struct req, lets route_handle() answer it and writes the
 * struct resp back, counting it in the metrics.
 */
#ifndef LN_SERVE_H
#define LN_SERVE_H

#include "app.h"

/*
 * Initialises libfcgi.  Returns 0, or -1 when standard input is not a
 * FastCGI listening socket (the program was not started by spawn-fcgi).
 */
int	serve_init(void);
/*
 * Serves requests until accepting fails (the socket closed, or a signal
 * asked the process to stop).  Returns 0 when it stopped on request, -1
 * when accepting failed.
 */
int	serve_loop(struct app *);
/*
 * Stops the process: at once between requests, else after the request in
 * hand (serve_loop() then returns 0).  Async-signal-safe.
 */
void	serve_stop(void);

#endif
