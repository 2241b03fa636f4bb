/*
 * history.c — linernotes-history: the collector's import and export
 * commands in a program of their own.
 *
 * It is built from the same code as the collector's commands (import.c,
 * import_parse.c, zip.c, export.c and lib/), but without libcurl: linked
 * in, libcurl loads GnuTLS, OpenSSL, Kerberos, LDAP and more, whose pages
 * (6.8 MB resident, their constructors run at load) would count in the
 * importer's peak memory, and neither command makes a request.  The
 * collector execs this program for `import` and `export` when it finds it
 * in its own folder (cmd.c, cmd_delegate()), with the same arguments, so
 * it answers as the collector does: the same options, configuration,
 * messages and exit codes.  Run directly it behaves the same way.
 */
#include "cmd.h"

static const struct cmd cmds[] = {
	CMD_ROWS_PROGRAM,
	CMD_ROWS_HISTORY,
};

int
main(int argc, char *argv[])
{
	return cmd_main(cmds, sizeof(cmds) / sizeof(cmds[0]), NULL, argc,
	    argv);
}
