/* conf.c: cati-store's configuration file: `key = value` lines and `#` comments. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cati/i18n.h"
#include "args.h"
#include "cati/util.h"

/* Cut the blanks around s in place; the start of what is left. */
static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Read path and hand each `key = value` line to set with its place ("FILE:LINE"). */
int srv_conf_read(const char *path, srv_conf_fn set, void *ctx, char **text)
{
	struct err e;
	char *line, *next, *eq, where[1100];
	size_t n;
	int no = 0;

	err_init(&e);
	if (!(*text = read_file(path, &n, &e))) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		return -1;
	}
	for (line = *text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		no++;
		snprintf(where, sizeof where, "%s:%d", path, no);
		line = trim(line);
		if (!*line || *line == '#')
			continue;
		if (!(eq = strchr(line, '='))) {
			fprintf(stderr, _("%s: expected 'key = value', not '%s'\n"), where, line);
			return -1;
		}
		*eq = '\0';
		if (set(ctx, trim(line), trim(eq + 1), where) < 0)
			return -1;
	}
	return 0;
}
