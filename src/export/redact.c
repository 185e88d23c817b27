/* redact.c: what of a synced record is a respondent's personal data, taken out in place. The
 * central store (src/central/erase.c, push.c) and the workstation (src/store/erase.c) apply the
 * same rule to the same record format. */
#include "cati/export.h"

#include <jansson.h>

/* Take the personal data out of a record's data in place: 1 when anything was taken, else 0. */
int exp_redact_record(json_t *data, json_t *qids)
{
	static const char *const keys[] = { "name", "phone", "with", "text", "suspend_reason" };
	const char *qid = json_string_value(json_object_get(data, "qid"));
	size_t i;
	json_t *a;
	int n = 0;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		json_t *v = json_object_get(data, keys[i]);
		if (v && !json_is_null(v) && !(json_is_string(v) && !*json_string_value(v))) {
			json_object_set_new(data, keys[i], json_null());
			n = 1;
		}
	}
	/* an event: the answer given and the one it replaced */
	if (qid && json_object_get(qids, qid)) {
		const char *vk[] = { "value", "old_value" };
		for (i = 0; i < 2; i++) {
			json_t *v = json_object_get(data, vk[i]);
			if (v && !json_is_null(v)) {
				json_object_set_new(data, vk[i], json_null());
				n = 1;
			}
		}
	}
	/* an interview: its answers [qid, iter, state, value] */
	json_array_foreach(json_object_get(data, "answers"), i, a) {
		json_t *q = json_array_get(a, 0), *v = json_array_get(a, 3);
		if (json_is_string(q) && json_object_get(qids, json_string_value(q)) && json_is_string(v) &&
		    *json_string_value(v)) {
			json_array_set_new(a, 3, json_string(""));
			n = 1;
		}
	}
	return n;
}
