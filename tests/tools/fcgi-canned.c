/*
 * fcgi-canned.c — the FastCGI hop's own ceiling, for the API benchmark.
 *
 *   fcgi-canned FILE
 *
 * A plain libfcgi loop that answers every request, whatever it asks, with
 * 200 and the bytes of FILE as an application/json body, read once at
 * start.  Started by spawn-fcgi in place of linernotes-fcgi (tests/
 * stack.sh, FCGI_CANNED=FILE), it is what no reader can beat: wrk, nginx,
 * the socket, libfcgi and nothing else.  tests/bench.sh measures it side
 * by side with the real endpoints, with FILE an answer of theirs, so every
 * run shows how much of a request's cost the reader's own work is (the
 * issue's reference: "a plain libfcgi loop returning a canned 10 KB body").
 *
 * A request's body is read and dropped.  Not installed: a test tool (tests/tools/).  Exits 1 with a message when FILE
 * cannot be read; otherwise serves until its socket fails.
 */
#include <sys/stat.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>

#include <fcgiapp.h>

#include "buf.h"

#define FILE_MAX	(16 * 1024 * 1024)

int
main(int argc, char *argv[])
{
	struct buf out = BUF_INIT;
	struct stat st;
	FCGX_Request rq;
	FILE *fp;
	char chunk[8192];
	size_t n, body, head;

	if (argc != 2) {
		fprintf(stderr, "usage: fcgi-canned FILE\n");
		return 2;
	}
	if ((fp = fopen(argv[1], "rb")) == NULL)
		err(1, "%s", argv[1]);
	if (fstat(fileno(fp), &st) == -1)
		err(1, "%s", argv[1]);
	if (!S_ISREG(st.st_mode) || st.st_size > FILE_MAX)
		errx(1, "%s: not a file of at most %d bytes", argv[1], FILE_MAX);
	body = (size_t)st.st_size;
	buf_printf(&out, "Status: 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\n\r\n", body);
	head = out.len;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&out, chunk, n);
	if (ferror(fp) || out.oom || out.len - head != body)
		errx(1, "%s: could not be read whole", argv[1]);
	fclose(fp);

	if (FCGX_Init() != 0 || FCGX_InitRequest(&rq, 0, 0) != 0)
		errx(1, "libfcgi did not initialise");
	while (FCGX_Accept_r(&rq) >= 0) {
		FCGX_PutStr(out.data, (int)out.len, rq.out);
		/* Ends as linernotes-fcgi does (fcgi/serve.c): the body read
		 * to its end, then closed at once. */
		while (FCGX_GetStr(chunk, sizeof(chunk), rq.in) > 0)
			continue;
		FCGX_Detach(&rq);
		FCGX_Finish_r(&rq);
	}
	buf_free(&out);
	return 0;
}
