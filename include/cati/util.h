/*
 * util.h: allocation, growable buffers, arenas and error reports shared by every layer.
 *
 * Out of memory is not an error callers handle: the x* wrappers print a message and abort.
 */
#ifndef CATI_UTIL_H
#define CATI_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#if defined(__GNUC__)
#define CATI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CATI_PRINTF(f, a)
/*
 * Local time in zone tz (an IANA name such as "Europe/Vienna"; NULL or "" for the machine's),
 * and back, as localtime_r and mktime would give them with TZ=tz. Safe from several threads at
 * once: the process's TZ is never touched; each zone's file under /usr/share/zoneinfo is read
 * once and kept. A name with ".." or a leading '/' is not looked up as a file; a name that is no
 * zone is read as a POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3"), else taken as UTC.
 * zone_mktime normalises *tm (and sets tm_wday, tm_yday, tm_isdst) as mktime does; a local time
 * that does not exist or exists twice comes out as glibc's mktime gives it in a fresh process.
 */
void zone_localtime(const char *tz, time_t t, struct tm *out);
time_t zone_mktime(const char *tz, struct tm *tm);

#endif

/* Allocate or abort. Free with free(). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/*
 * A caller-owned error report: the first error set wins, later ones are ignored so that the
 * most specific message (set deepest) survives.
 */
struct err {
	int set;
	int kind;   /* ERR_KIND_*: what failed, for callers that answer others than the operator */
	char msg[512];
};
/* The database failed (msg names it: for the operator only); busy: try again later; full: the
   disk (or the database's space) is full; audit: the store's audit trail could not be written,
   so the change it belonged to was not made. */
enum { ERR_KIND_INPUT = 0, ERR_KIND_STORAGE = 1, ERR_KIND_BUSY = 2, ERR_KIND_FULL = 3, ERR_KIND_AUDIT = 4 };

void err_init(struct err *e);
/* Record an error unless one is already recorded. */
void err_set(struct err *e, const char *fmt, ...) CATI_PRINTF(2, 3);

/*
 * A growable byte buffer, always NUL-terminated. buf_init() makes it empty (no allocation);
 * buf_release() frees it and leaves it empty again.
 */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, int c);
void buf_printf(struct buf *b, const char *fmt, ...) CATI_PRINTF(2, 3);
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* The buffer's text: "" when empty, never NULL. Valid until the next change. */
const char *buf_str(const struct buf *b);
/* Hand the text to the caller (free() it); the buffer is left empty. */
char *buf_detach(struct buf *b);

/*
 * A bump allocator: many small allocations freed together by arena_release().
 * Memory is 16-byte aligned and zeroed.
 */
struct arena_block;
struct arena {
	struct arena_block *head;
	size_t used;     /* bytes used in head */
	size_t total;    /* bytes allocated from the system, for reports */
};

void arena_init(struct arena *a);
void arena_release(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* Read a whole file into memory (free() it). Returns NULL and sets e on failure. */
char *read_file(const char *path, size_t *len, struct err *e);

/*
 * Create path as an empty file readable and writable by its owner only (0600, whatever the
 * umask), unless it exists already; an existing file is left as it is. 0, or -1 with errno.
 */
int file_create_private(const char *path);

/*
 * Open path for writing, emptied, readable and writable by its owner only (0600 whatever the
 * umask, an existing file too). The caller fclose()s it. NULL with errno when it cannot.
 */
FILE *file_write_private(const char *path);

/* UTF-8: number of code points in s[0..n) (invalid bytes count one each). */
size_t utf8_len(const char *s, size_t n);
/* 1 if s[0..n) is valid UTF-8, else 0 and *bad is the offset of the first bad byte. */
int utf8_valid(const char *s, size_t n, size_t *bad);
/*
 * Make text safe to print on a terminal, in place: escape sequences (ESC [ ... final, ESC ] ...
 * BEL or ESC \, ESC and one byte) go whole, and so do the other C0 controls, DEL and the C1
 * controls (U+0080 to U+009F); newlines stay when keep_newlines is set. Returns the new length.
 */
size_t text_clean(char *s, int keep_newlines);

/*
 * Local time in zone tz (an IANA name such as "Europe/Vienna"; NULL or "" for the machine's),
 * and back, as localtime_r and mktime would give them with TZ=tz. Safe from several threads at
 * once: the process's TZ is never touched; each zone's file under /usr/share/zoneinfo is read
 * once and kept. A name with ".." or a leading '/' is not looked up as a file; a name that is no
 * zone is read as a POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3"), else taken as UTC.
 * zone_mktime normalises *tm (and sets tm_wday, tm_yday, tm_isdst) as mktime does; a local time
 * that does not exist or exists twice comes out as glibc's mktime gives it in a fresh process.
 */
void zone_localtime(const char *tz, time_t t, struct tm *out);
time_t zone_mktime(const char *tz, struct tm *tm);


struct option;
/*
 * Command-line options, the same way for every command of both programs: call opt_reset()
 * before the first opt_next(). opt_next() is getopt_long (arguments that are not options may
 * come anywhere; argv[0] is the command) and returns the option's code, or -1 at the end (the
 * rest from optind). On --help (code 'h') it prints usage to stdout and returns 'h'; on an
 * unknown option or one missing its value it prints "PROG: unknown option 'X'" and usage to
 * stderr and returns '?'.
 */
void opt_reset(void);
int opt_next(int argc, char **argv, const char *shorts, const struct option *longs, const char *prog,
             const char *usage);
/*
 * s as a whole decimal number from lo to hi into *out: 0; otherwise -1 after printing
 * "PROG: OPT: 's' is not a number from LO to HI" to stderr.
 */
int opt_number(const char *prog, const char *opt, const char *s, long lo, long hi, long *out);

#endif
