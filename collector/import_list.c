/*
 * import_list.c — the import's work list (import_run.h): the history files
 * a run was given, found, checked, ordered and mapped one at a time.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "import_job.h"
#include "import_run.h"
#include "log.h"
#include "zip.h"

#define IMPORT_DEPTH	16	/* folder nesting searched */


static int
item_order(enum import_kind k)
{
	switch (k) {
	case IMPORT_KIND_EXTENDED:
	case IMPORT_KIND_EXT_VIDEO:
		return 0;
	case IMPORT_KIND_OTHER:
		return 1;
	default:
		return 2;
	}
}

static int
item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c;

	if (x->order != y->order)
		return x->order - y->order;
	if ((c = strcmp(x->label, y->label)) != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
run_add(struct run *r, const char *label, const char *path, int zip,
    size_t entry, enum import_kind kind)
{
	struct item *n, *it;

	if ((n = reallocarray(r->items, r->n_items + 1, sizeof(*n))) == NULL)
		return -1;
	r->items = n;
	it = &r->items[r->n_items];
	memset(it, 0, sizeof(*it));
	log_escape(it->label, sizeof(it->label), label, strlen(label));
	if ((it->path = strdup(path)) == NULL)
		return -1;
	it->zip = zip;
	it->entry = entry;
	it->kind = kind;
	it->order = item_order(kind);
	it->seq = r->n_items;
	r->n_items++;
	return 0;
}

static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s != NULL ? s + 1 : p;
}

/*
 * For an upload (--job): whether the archive is refused whole, with the
 * reason in r->fail.  A stranger's file is held to what Spotify sends: a
 * few dozen entries, no encryption, safe names, no archive inside, and no
 * entry that declares it inflates more than IMPORT_RATIO_MAX times (the
 * actual inflation is held to the declared size by zip.c).
 */
static int
run_zip_refused(struct run *r, struct zip *z)
{
	const struct zip_entry *e;
	size_t i, n = zip_count(z), len;

	if (n > IMPORT_ENTRIES_MAX) {
		snprintf(r->fail, sizeof(r->fail), "the archive has %zu "
		    "entries, more than %d: not Spotify's download", n,
		    IMPORT_ENTRIES_MAX);
		return 1;
	}
	for (i = 0; i < n; i++) {
		e = zip_entry_at(z, i);
		len = strlen(e->name);
		if (e->unsafe)
			snprintf(r->fail, sizeof(r->fail), "entry %zu has an "
			    "unsafe name (absolute, \"..\" or a NUL in it)",
			    i + 1);
		else if (e->flags & 0x1)
			snprintf(r->fail, sizeof(r->fail), "entry %zu is "
			    "encrypted: encrypted archives are not read", i + 1);
		else if (len >= 4 && strcasecmp(e->name + len - 4, ".zip") ==
		    0)
			snprintf(r->fail, sizeof(r->fail), "entry %zu is an "
			    "archive inside the archive: upload the files "
			    "Spotify sent, unchanged", i + 1);
		else if (e->size > IMPORT_RATIO_FLOOR &&
		    e->size / IMPORT_RATIO_MAX > e->csize)
			snprintf(r->fail, sizeof(r->fail), "entry %zu declares "
			    "it inflates %llu bytes from %llu: a zip bomb",
			    i + 1, (unsigned long long)e->size,
			    (unsigned long long)e->csize);
		else
			continue;
		return 1;
	}
	return 0;
}

/* Adds the history entries of a zip archive.  explicit: named by the user. */
static int
run_add_zip(struct run *r, const char *path)
{
	struct zip *z, **nz;
	const struct zip_entry *e;
	char err[256], label[4096 + ZIP_NAME_MAX + 2], esc[LABEL_MAX];
	enum import_kind k;
	size_t i, found = 0;

	if (zip_open(&z, path, err, sizeof(err)) == -1) {
		log_warnx("%s: %s", log_escape(esc, sizeof(esc), path,
		    strlen(path)), err);
		snprintf(r->fail, sizeof(r->fail), "%s", err);
		r->bad_paths++;
		return 0;
	}
	if ((nz = reallocarray(r->zips, r->n_zips + 1, sizeof(*nz))) ==
	    NULL) {
		zip_close(z);
		return -1;
	}
	r->zips = nz;
	r->zips[r->n_zips++] = z;
	if (r->job != 0 && run_zip_refused(r, z))
		return 0;
	for (i = 0; i < zip_count(z); i++) {
		e = zip_entry_at(z, i);
		if (e->is_dir)
			continue;
		k = import_parse_kind_of_name(base_name(e->name));
		if (e->unsafe) {
			log_warnx("%s: entry %zu has an unsafe name; skipped",
			    log_escape(esc, sizeof(esc), path, strlen(path)),
			    i + 1);
			r->files_ignored++;
			continue;
		}
		if (!import_parse_kind_known(k)) {
			r->files_ignored++;
			continue;
		}
		/* Only a label for messages: a cut one is still useful. */
		if ((size_t)snprintf(label, sizeof(label), "%s:%s",
		    r->display != NULL ? r->display : path, e->name) >=
		    sizeof(label))
			log_debug("import: long archive entry label cut");
		if (run_add(r, label, path, (int)r->n_zips - 1, i, k) == -1)
			return -1;
		found++;
	}
	log_debug("%s: %zu history files in the archive", path, found);
	return 0;
}

/* Searches a folder; history files by name, archives by content. */
static int
run_add_dir(struct run *r, const char *dir, int depth)
{
	DIR *d;
	struct dirent *de;
	struct stat sb;
	char path[4096], esc[LABEL_MAX];
	enum import_kind k;
	int rc = 0;

	if (depth > IMPORT_DEPTH)
		return 0;
	if ((d = opendir(dir)) == NULL) {
		log_warn("%s", log_escape(esc, sizeof(esc), dir, strlen(dir)));
		r->bad_paths++;
		return 0;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;	/* ., .., hidden files (__MACOSX too) */
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    de->d_name) >= sizeof(path)) {
			log_warnx("%s: a name in it is too long; skipped",
			    log_escape(esc, sizeof(esc), dir, strlen(dir)));
			r->files_ignored++;
			continue;
		}
		if (lstat(path, &sb) == -1)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			if (strcmp(de->d_name, "__MACOSX") != 0)
				rc = run_add_dir(r, path, depth + 1);
			continue;
		}
		if (!S_ISREG(sb.st_mode))
			continue;
		k = import_parse_kind_of_name(de->d_name);
		if (import_parse_kind_known(k))
			rc = run_add(r, path, path, -1, 0, k);
		else if (zip_sniff(path))
			rc = run_add_zip(r, path);
		else
			r->files_ignored++;
	}
	closedir(d);
	return rc;
}

int
import_list_add(struct run *r, const char *path)
{
	struct stat sb;
	char esc[LABEL_MAX];

	if (stat(path, &sb) == -1) {
		log_warn("%s", log_escape(esc, sizeof(esc), path,
		    strlen(path)));
		r->bad_paths++;
		return 0;
	}
	if (S_ISDIR(sb.st_mode) && r->job == 0)
		return run_add_dir(r, path, 0);
	if (zip_sniff(path))
		return run_add_zip(r, path);
	if (r->display != NULL)	/* an upload: its own name tells the kind */
		return run_add(r, r->display, path, -1, 0,
		    import_parse_kind_of_name(base_name(r->display)));
	/* Named explicitly: read whatever its name, the content decides. */
	return run_add(r, path, path, -1, 0, import_parse_kind_of_name(
	    base_name(path)));
}

/*
 * Maps the regular file open on fd read-only into *data (*len bytes; an
 * empty file maps nothing and gives "").  Unmap with import_list_unmap().
 * Returns 0, or -1 with err.
 */
static int
map_fd(int fd, const char **data, size_t *len, char *err, size_t errsz)
{
	struct stat sb;
	void *p;

	*data = "";
	*len = 0;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errsz, "not a regular file");
		return -1;
	}
	if ((uint64_t)sb.st_size > IMPORT_FILE_MAX) {
		snprintf(err, errsz, "larger than %zu bytes: not a streaming "
		    "history file", IMPORT_FILE_MAX);
		return -1;
	}
	if (sb.st_size == 0)
		return 0;
	p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		snprintf(err, errsz, "cannot map: %s", strerror(errno));
		return -1;
	}
	(void)madvise(p, (size_t)sb.st_size, MADV_SEQUENTIAL);
	*data = p;
	*len = (size_t)sb.st_size;
	return 0;
}

void
import_list_unmap(const char *data, size_t len)
{
	if (len > 0)
		munmap((void *)(uintptr_t)data, len);
}

/*
 * Opens the item's bytes as a read-only mapping: the file itself, or an
 * archive entry inflated into an unlinked temporary file (so that neither
 * is ever held in memory whole).  Returns 0, or -1 with err.
 */
int
import_list_map(struct run *r, const struct item *it, const char **data,
    size_t *len, char *err, size_t errsz)
{
	FILE *tmp;
	int fd, rc;

	if (it->zip < 0) {
		if ((fd = open(it->path, O_RDONLY | O_CLOEXEC)) == -1) {
			snprintf(err, errsz, "cannot open: %s", strerror(errno));
			return -1;
		}
		rc = map_fd(fd, data, len, err, errsz);
		close(fd);
		return rc;
	}
	if ((tmp = tmpfile()) == NULL) {
		snprintf(err, errsz, "cannot make a temporary file: %s",
		    strerror(errno));
		return -1;
	}
	fd = fileno(tmp);
	rc = zip_extract(r->zips[it->zip], it->entry, IMPORT_FILE_MAX, fd, err,
	    errsz);
	if (rc == 0)
		rc = map_fd(fd, data, len, err, errsz);
	fclose(tmp);		/* the mapping keeps the unlinked file */
	return rc;
}

void
import_list_sort(struct run *r)
{
	qsort(r->items, r->n_items, sizeof(*r->items), item_cmp);
}

void
import_list_free(struct run *r)
{
	size_t i;

	for (i = 0; i < r->n_items; i++)
		free(r->items[i].path);
	free(r->items);
	for (i = 0; i < r->n_zips; i++)
		zip_close(r->zips[i]);
	free(r->zips);
}
