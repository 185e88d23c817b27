/* util.c: allocation wrappers, error reports, buffers, arenas, file reading, UTF-8. */
#include "cati/i18n.h"
#include "cati/util.h"

#include <errno.h>
#include <getopt.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Report exhaustion and stop: nothing sensible can continue without memory. */
static void oom(size_t n)
{
	fprintf(stderr, _("fatal: out of memory allocating %zu bytes\n"), n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void err_init(struct err *e)
{
	e->set = 0;
	e->kind = ERR_KIND_INPUT;
	e->msg[0] = '\0';
}

void err_set(struct err *e, const char *fmt, ...)
{
	va_list ap;

	if (!e || e->set)
		return;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	e->set = 1;
}

void buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void buf_release(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

/* Make room for n more bytes plus the terminating NUL. */
static void buf_grow(struct buf *b, size_t n)
{
	size_t want;

	if (n > SIZE_MAX / 2 - b->len)
		oom(n);
	want = b->len + n + 1;
	if (want <= b->cap)
		return;
	if (b->cap < 64)
		b->cap = 64;
	while (b->cap < want)
		b->cap *= 2;
	b->data = xrealloc(b->data, b->cap);
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_putc(struct buf *b, int c)
{
	char ch = (char)c;
	buf_add(b, &ch, 1);
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

const char *buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

char *buf_detach(struct buf *b)
{
	char *p = b->data ? b->data : xstrdup("");
	buf_init(b);
	return p;
}

struct arena_block {
	struct arena_block *next;
	size_t size;
	_Alignas(16) unsigned char mem[];
};

#define ARENA_MIN_BLOCK (256 * 1024)

void arena_init(struct arena *a)
{
	a->head = NULL;
	a->used = 0;
	a->total = 0;
}

void arena_release(struct arena *a)
{
	struct arena_block *b = a->head, *next;

	for (; b; b = next) {
		next = b->next;
		free(b);
	}
	arena_init(a);
}

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (!a->head || a->head->size - a->used < n) {
		size_t size = n > ARENA_MIN_BLOCK ? n : ARENA_MIN_BLOCK;
		b = xmalloc(sizeof *b + size);
		b->size = size;
		b->next = a->head;
		a->head = b;
		a->used = 0;
		a->total += size;
	}
	p = a->head->mem + a->used;
	a->used += n;
	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *read_file(const char *path, size_t *len, struct err *e)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[65536];
	size_t n;

	if (!f) {
		err_set(e, _("cannot open '%s': %s"), path, strerror(errno));
		return NULL;
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	if (ferror(f)) {
		err_set(e, _("cannot read '%s': %s"), path, strerror(errno));
		fclose(f);
		buf_release(&b);
		return NULL;
	}
	fclose(f);
	if (len)
		*len = b.len;
	return buf_detach(&b);
}

/* Length of the UTF-8 sequence starting at s (max n bytes), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xE0) == 0xC0) {
		len = 2;
		cp = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3;
		cp = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

/* The bytes after an ESC that belong to its sequence: a CSI up to its final byte, an OSC, DCS,
   SOS, PM or APC string up to BEL or ST, else one byte. */
static size_t escape_len(const unsigned char *p)
{
	size_t i = 1;

	if (*p == '[') {
		while (p[i] && (p[i] < 0x40 || p[i] > 0x7E))
			i++;
		return p[i] ? i + 1 : i;
	}
	if (*p == ']' || *p == 'P' || *p == 'X' || *p == '^' || *p == '_') {
		for (; p[i]; i++) {
			if (p[i] == 0x07)
				return i + 1;
			if (p[i] == 0x1B && p[i + 1] == '\\')
				return i + 2;
		}
		return i;
	}
	return *p ? 1 : 0;
}

size_t text_clean(char *s, int keep_newlines)
{
	unsigned char *r = (unsigned char *)s, *w = (unsigned char *)s;

	while (*r) {
		if (*r == 0x1B) {
			r++;
			r += escape_len(r);
		} else if (*r == '\n' && keep_newlines) {
			*w++ = *r++;
		} else if (*r < 0x20 || *r == 0x7F) {
			r++;
		} else if (*r == 0xC2 && r[1] >= 0x80 && r[1] <= 0x9F) {
			r += 2;   /* a C1 control in UTF-8 */
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return (size_t)(w - (unsigned char *)s);
}

size_t utf8_len(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, count = 0, k;

	while (i < n) {
		k = utf8_seq(p + i, n - i);
		i += k ? k : 1;
		count++;
	}
	return count;
}

int utf8_valid(const char *s, size_t n, size_t *bad)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8_seq(p + i, n - i);
		if (!k) {
			if (bad)
				*bad = i;
			return 0;
		}
		i += k;
	}
	return 1;
}

/* O_EXCL: only a file made here gets the mode; an existing one (or a race's winner) is kept. */
int file_create_private(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno == EEXIST ? 0 : -1;
	/* a umask such as 0277 would leave the owner unable to write: say the mode exactly */
	if (fchmod(fd, 0600) != 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return close(fd);
}

/* fchmod: an existing file keeps its old mode through O_TRUNC, and the umask may take bits away. */
FILE *file_write_private(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), saved;
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fchmod(fd, 0600) == 0) {
		f = fdopen(fd, "w");
		if (f)
			return f;
	}
	saved = errno;
	close(fd);
	errno = saved;
	return NULL;
}

/* Start a new option parse (glibc's full reset, so that a second command parses afresh). */
void opt_reset(void)
{
	optind = 0;
}

/* getopt_long with the house messages: unknown options and --help print the command's usage. */
int opt_next(int argc, char **argv, const char *shorts, const struct option *longs, const char *prog,
             const char *usage)
{
	char spec[64];
	int c;

	/* ':' first: a missing value comes back as ':', and getopt prints nothing itself */
	snprintf(spec, sizeof spec, ":%s", shorts);
	opterr = 0;
	c = getopt_long(argc, argv, spec, longs, NULL);
	if (c == 'h') {
		fputs(_(usage), stdout);
	} else if (c == ':') {
		fprintf(stderr, _("%s: option '%s' needs a value\n%s"), prog, argv[optind - 1], _(usage));
		c = '?';
	} else if (c == '?') {
		if (optopt && optopt != '?')
			fprintf(stderr, _("%s: unknown option '-%c'\n%s"), prog, optopt, _(usage));
		else
			fprintf(stderr, _("%s: unknown option '%s'\n%s"), prog, argv[optind - 1], _(usage));
	}
	return c;
}

/* A whole number in [lo, hi] (strtol with an end check), or -1 with a message naming the option. */
int opt_number(const char *prog, const char *opt, const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi) {
		fprintf(stderr, _("%s: %s: '%s' is not a number from %ld to %ld\n"), prog, opt, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}
