/*
 * readers.c — counts the reader processes that are alive, for /health.
 *
 * The readers are forked by one supervisor (multiwatch, started by
 * spawn-fcgi; see nginx/linernotes-fcgi.sh), which replaces one that
 * dies.  Nothing is written anywhere for this: the kernel already knows
 * the supervisor's children (/proc/PPID/task/PPID/children), and a child
 * is counted when it runs the same executable as this process and is
 * not a zombie.  So the figure is never stale: a reader killed a moment
 * ago is not counted, its replacement is as soon as it runs.
 */
#include <sys/types.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "readers.h"

/* Whether pid runs (a zombie or a vanished pid does not). */
static int
readers_running(pid_t pid)
{
	char path[64], line[512], *p;
	FILE *f;
	int ok = 0;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(line, sizeof(line), f) != NULL &&
	    (p = strrchr(line, ')')) != NULL && p[1] == ' ' && p[2] != '\0')
		ok = p[2] != 'Z' && p[2] != 'X';
	fclose(f);
	return ok;
}

/* Whether pid's executable is exe (a path of exelen bytes). */
static int
readers_same_exe(pid_t pid, const char *exe, ssize_t exelen)
{
	char path[64], buf[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%ld/exe", (long)pid);
	if ((n = readlink(path, buf, sizeof(buf))) == -1)
		return 0;
	return n == exelen && memcmp(buf, exe, (size_t)n) == 0;
}

int
readers_count_alive(struct readers_info *ri)
{
	char path[96], exe[PATH_MAX];
	pid_t ppid = getppid();
	ssize_t exelen;
	FILE *f;
	long pid;
	int n = 0, self = 0;

	ri->alive = 1;
	ri->supervisor[0] = '\0';
	if ((exelen = readlink("/proc/self/exe", exe, sizeof(exe))) == -1 ||
	    exelen == (ssize_t)sizeof(exe))
		return -1;
	snprintf(path, sizeof(path), "/proc/%ld/comm", (long)ppid);
	if ((f = fopen(path, "r")) != NULL) {
		if (fgets(ri->supervisor, sizeof(ri->supervisor), f) == NULL)
			ri->supervisor[0] = '\0';
		ri->supervisor[strcspn(ri->supervisor, "\n")] = '\0';
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%ld/task/%ld/children",
	    (long)ppid, (long)ppid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fscanf(f, "%ld", &pid) == 1) {
		if (pid == (long)getpid())
			self = 1;
		if (readers_running((pid_t)pid) &&
		    readers_same_exe((pid_t)pid, exe, exelen))
			n++;
	}
	fclose(f);
	/* Our parent is gone (we were adopted elsewhere): only we count. */
	ri->alive = self ? n : 1;
	return 0;
}
