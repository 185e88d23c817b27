/* synclog.c: the sync log: when the workstation last reached the store, and what is waiting. */
#include "desk-int.h"
#include "cati/i18n.h"

#include <string.h>

static enum desk_screen synclog_key(struct desk *d, int k)
{
	(void)d;
	(void)k;
	return DESK_QUEUE;
}

static void synclog_draw(struct desk *d, struct view *v)
{
	struct buf out;
	struct err e;
	const char *p;
	int row, n = 0;

	desk_put(v, 0, VIEW_BAR, _(" Sync log \xE2\x94\x82 %s"), d->sync ? (desk_online(d) ? _("online") : _("offline"))
	                                                      : _("not enrolled: this workstation works offline"));
	buf_init(&out);
	err_init(&e);
	store_sync_log_read(d->st, v->height - 4, &out, &e);
	for (p = buf_str(&out); *p; p++)
		n += *p == '\n';
	p = buf_str(&out);
	for (row = 2; *p && row < v->height - 2; row++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *bad = strstr(p, "failed");
		desk_put(v, row, bad && bad < p + len ? VIEW_ERROR : VIEW_PLAIN, " %.*s", (int)len, p);
		p = nl ? nl + 1 : p + len;
	}
	if (!n)
		desk_put(v, 2, VIEW_DIM, _(" No sync yet."));
	desk_put(v, v->height - 2, VIEW_PLAIN, _(" %ld records waiting to sync"), store_outbox_pending(d->st));
	desk_keys(v, _("any key: back to the case list"), 0, (const char *)NULL);
	buf_release(&out);
}

const struct desk_mode desk_synclog_mode = {
	.name = "sync log",
	.key = synclog_key,
	.draw = synclog_draw,
};
