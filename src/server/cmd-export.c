/* cmd-export.c: cati-store export: a study's interviews as a data set, and its call records. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cati/i18n.h"
#include "args.h"
#include "cati/central.h"
#include "cati/export.h"
#include "cati/form.h"

int srv_cmd_export(int argc, char **argv);

static const char usage[] =
	N_("usage: cati-store export STUDY --format csv|json|sav|dta|sas|sss|ddi|codebook|all --out FILE\n"
	"                         [--lang L] [--with-identities] [--pseudonyms]\n"
	"                         [--calls FILE.csv [--with-phone]] --db PATH|--pg URL\n");

/* cati-store export STUDY: the study's interviews as a data set; the store must exist. */
int srv_cmd_export(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "format", required_argument, NULL, 'f' }, { "out", required_argument, NULL, 'o' },
		{ "lang", required_argument, NULL, 'l' },   { "calls", required_argument, NULL, 'c' },
		{ "with-phone", no_argument, NULL, 'p' },  { "with-identities", no_argument, NULL, 'I' },
		{ "pseudonyms", no_argument, NULL, 'N' },
		SRV_OPT_DB, SRV_OPT_HELP, { 0 }
	};
	const char *fmt = NULL, *out = NULL, *lang = NULL, *calls = NULL, *study;
	struct srv_db db = { NULL, NULL };
	struct central *c;
	struct form_diags d;
	struct exp_data data;
	struct form *f;
	char *src = NULL;
	struct err e;
	struct exp_opts opts = { 0, NULL };
	unsigned char key[EXP_PSEUDONYM_KEY];
	char who[300];
	struct buf what;
	int ch, format, with_phone = 0, pseudonyms = 0, rc = 1;

	for (opt_reset(); (ch = opt_next(argc, argv, "h", longs, "cati-store export", usage)) != -1;) {
		switch (ch) {
		case 'h': return 0;
		case 'f': fmt = optarg; break;
		case 'o': out = optarg; break;
		case 'l': lang = optarg; break;
		case 'c': calls = optarg; break;
		case 'p': with_phone = 1; break;
		case 'I': opts.identities = 1; break;
		case 'N': pseudonyms = 1; break;
		default:
			if (!srv_db_opt(&db, ch, optarg))
				return 2;
		}
	}
	format = !fmt ? -1 : !strcmp(fmt, "all") ? 99 : exp_format_of(fmt);
	if (with_phone && !calls) {
		fprintf(stderr, _("cati-store export: --with-phone needs --calls FILE.csv\n%s"), _(usage));
		return 2;
	}
	if (optind != argc - 1 || !out || format < 0) {
		if (fmt && format < 0)
			fprintf(stderr, _("cati-store export: unknown format '%s'\n"), fmt);
		fputs(_(usage), stderr);
		return 2;
	}
	study = argv[optind];
	if (!(c = srv_open(&db, 1, usage)))
		return 2;
	err_init(&e);
	if (central_form_latest(c, study, &src, &e) < 0) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		central_close(c);
		return 1;
	}
	form_diags_init(&d);
	f = form_compile(_("(stored form)"), src, strlen(src), &d);
	form_diags_release(&d);
	free(src);
	if (!f) {
		fprintf(stderr, _("cati-store: the form of '%s' does not compile\n"), study);
		central_close(c);
		return 1;
	}
	if (lang && form_lang(f, lang) < 0) {
		fprintf(stderr, _("cati-store export: the form has no language '%s'\n"), lang);
		form_free(f);
		central_close(c);
		return 2;
	}
	if (pseudonyms && central_study_key(c, study, key, &e) < 0) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		form_free(f);
		central_close(c);
		return 1;
	}
	opts.pseudonym_key = pseudonyms ? key : NULL;
	exp_data_init_opts(&data, f, lang ? form_lang(f, lang) : 0, &opts);
	sodium_memzero(key, sizeof key);
	if (central_export(c, study, exp_data_take, &data, &e) < 0) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		goto out;
	}
	/* the audit trail first: an export it cannot record does not happen */
	srv_local_user(who, sizeof who);
	buf_init(&what);
	buf_printf(&what, "study %s, format %s, %s%s, %ld interview%s to %s", study, fmt,
	           opts.identities ? "with identities" : "without identities", pseudonyms ? ", pseudonyms" : "",
	           data.nrows, data.nrows == 1 ? "" : "s", out);
	if (calls)
		buf_printf(&what, "; calls to %s %s", calls, with_phone ? "with phone numbers" : "without phone numbers");
	if (central_audit(c, who, "export", buf_str(&what)) < 0) {
		fputs(_("cati-store: cannot write the audit trail: nothing was exported\n"), stderr);
		buf_release(&what);
		goto out;
	}
	buf_release(&what);
	if ((format == 99 ? exp_write_all(&data, out, &e) : exp_write(&data, (enum exp_format)format, out, &e)) < 0) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		goto out;
	}
	printf(_("exported %ld interviews, %d variables to %s\n"), data.nrows, data.schema.nvars, out);
	if (!opts.identities)
		puts(_("names, phone numbers and text answers left out: --with-identities adds them"));
	if (calls) {
		struct exp_calls cl;

		exp_calls_init(&cl);
		if (central_export_calls(c, study, exp_calls_take, &cl, &e) < 0) {
			fprintf(stderr, "cati-store: %s\n", e.msg);
			exp_calls_release(&cl);
			goto out;
		}
		if (data.schema.pseudonyms)
			exp_calls_pseudonyms(&cl, data.schema.pseudonym_key);
		if (exp_write_calls(cl.v, cl.n, with_phone, calls, &e) < 0) {
			fprintf(stderr, "cati-store: %s\n", e.msg);
			exp_calls_release(&cl);
			goto out;
		}
		printf(_("exported %ld call attempts to %s%s\n"), cl.n, calls,
		       with_phone ? "" : _(" (phone numbers left out: --with-phone adds them)"));
		exp_calls_release(&cl);
	}
	rc = 0;
out:
	exp_data_release(&data);
	form_free(f);
	central_close(c);
	return rc;
}
