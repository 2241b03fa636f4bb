/*
 * readers.h — how many reader processes are alive beside this one.
 *
 * The readers are children of one supervisor (multiwatch under
 * spawn-fcgi, which restarts a reader that dies); /health reports how
 * many of its children run this same program and are not zombies.
 *
 * Error convention: readers_count_alive() returns 0 or -1 (the count
 * could not be read, e.g. without /proc).
 */
#ifndef LN_READERS_H
#define LN_READERS_H

#define READERS_NAME_MAX	16	/* a process name (comm) and its NUL */

struct readers_info {
	int	alive;			/* readers running, this one included */
	char	supervisor[READERS_NAME_MAX];	/* the parent's name */
};

/*
 * Counts the live children of this process's parent that run the same
 * executable as this process, and names the parent, into *ri.  Reads
 * /proc only; returns 0, or -1 when /proc cannot be read (*ri then says
 * one reader, this one, and an empty supervisor).
 */
int	readers_count_alive(struct readers_info *ri);

#endif
