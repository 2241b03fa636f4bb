/*
 * main.c — linernotes-fcgi: the read API's FastCGI process.
 *
 * spawn-fcgi starts this program with the listening socket on fd 0, once
 * per -F (each child is exec'd, so the store is opened here, after the
 * fork, as LMDB requires).  main() reads the options and the configuration,
 * opens the store (read-write: the accounts' small writes, sign-in and
 * settings, come from here) with one long-lived reader handle, resolves
 * the sign-in settings, makes the entity cache and maps the shared
 * metrics, then hands over to serve_loop().  Errors before the loop end the program (err(3)); inside it
 * every failure is a response.
 */
#include <err.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "cache.h"
#include "config.h"
#include "insights.h"
#include "log.h"
#include "metrics.h"
#include "route.h"
#include "serve.h"
#include "session.h"
#include "store.h"
#include "timeutil.h"
#include "version.h"

static void __attribute__((noreturn))
usage(int code)
{
	fprintf(code ? stderr : stdout,
	    "usage: linernotes-fcgi [-hVv] [-c file]\n"
	    "  -c file  configuration file (default: environment only)\n"
	    "  -v       verbose (debug) logging\n"
	    "  -V       print the version\n"
	    "  -h       this help\n"
	    "Started by spawn-fcgi with the FastCGI socket on standard "
	    "input.\n");
	exit(code);
}

static void
on_term(int sig)
{
	(void)sig;
	serve_stop();
}

int
main(int argc, char *argv[])
{
	static struct auth_cfg auth;
	struct config *cfg;
	struct app app;
	const char *why;
	struct sigaction sa;
	const char *conf = NULL;
	char errbuf[512];
	int ch, verbose = 0, rc;

	while ((ch = getopt(argc, argv, "c:hVv")) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'h':
			usage(0);
		case 'V':
			printf("linernotes-fcgi %s\n", LINERNOTES_VERSION);
			return 0;
		case 'v':
			verbose = 1;
			break;
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	log_init("linernotes-fcgi", 0, verbose);
	if (config_load(&cfg, conf, errbuf, sizeof(errbuf)) == -1 ||
	    config_require(cfg, CFG_DB_PATH, errbuf, sizeof(errbuf)) == -1)
		errx(1, "%s", errbuf);
	if (config_num(cfg, CFG_VERBOSE))
		log_set_verbose(1);
	(void)time_use_clock_file(config_str(cfg, CFG_CLOCK_FILE));
	if (serve_init() == -1)
		errx(1, "standard input is not a FastCGI socket: start me "
		    "with spawn-fcgi (see linernotes-fcgi(8))");

	app.cfg = cfg;
	app.max_body = (size_t)config_num(cfg, CFG_MAX_BODY);
	app.started = time_now_ms() / 1000;
	session_load_cfg(cfg, &auth, &why);
	app.auth = &auth;
	if (!auth.configured)
		log_info("sign-in is off: %s", why);
	/*
	 * Read-write (creating an empty store on a fresh install, where
	 * nginx and the reader may start before the collector).  When only
	 * reading is allowed (the store's files belong to another user),
	 * serve the public journals and refuse sign-in.
	 */
	if (store_open(&app.store, config_str(cfg, CFG_DB_PATH), 0, 0) !=
	    STORE_OK) {
		if (store_open(&app.store, config_str(cfg, CFG_DB_PATH),
		    STORE_RDONLY, 0) != STORE_OK)
			errx(1, "cannot open the store in %s",
			    config_str(cfg, CFG_DB_PATH));
		log_warnx("the store is read-only to this process: sign-in "
		    "and settings cannot be saved");
	}
	if ((app.txn = store_reader(app.store)) == NULL)
		errx(1, "cannot make a reader of the store");
	if ((app.cache = cache_new((size_t)config_num(cfg, CFG_CACHE_ENTRIES),
	    (size_t)config_num(cfg, CFG_CACHE_BYTES))) == NULL)
		err(1, "cache");
	if ((app.insights = insights_cache_new()) == NULL)
		err(1, "insights cache");
	metrics_open(config_str(cfg, CFG_DB_PATH), route_count());

	/* TERM: finish the request in hand, then leave. */
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	sa.sa_handler = on_term;
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		err(1, "sigaction");

	log_debug("version %s serving", LINERNOTES_VERSION);
	rc = serve_loop(&app);

	insights_cache_free(app.insights);
	cache_free(app.cache);
	store_reader_free(app.txn);
	store_close(app.store);
	explicit_bzero(&auth, sizeof(auth));
	config_free(cfg);
	return rc == 0 ? 0 : 1;
}
