/* help.c: F1: every key, one per line; any key goes back to the screen it was called from. */
#include "desk-int.h"
#include "cati/i18n.h"

#include <string.h>

static enum desk_screen help_key(struct desk *d, int k)
{
	(void)k;
	return d->help_back;
}

static void help_draw(struct desk *d, struct view *v)
{
	const char *p = view_help();
	int row = 2;

	(void)d;
	desk_put(v, 0, VIEW_BAR, _(" Keys"));
	while (*p && row < v->height - 1) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		desk_put(v, row++, VIEW_PLAIN, " %.*s", (int)len, p);
		p = nl ? nl + 1 : p + len;
	}
	desk_keys(v, _("any key closes this help"), 0, (const char *)NULL);
}

const struct desk_mode desk_help_mode = {
	.name = "help",
	.key = help_key,
	.draw = help_draw,
};
