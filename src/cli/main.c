/* main.c: the cati program: dispatch to subcommands. */
#include <stdio.h>
#include <string.h>

#include "cati/i18n.h"
#include "cati/version.h"
#include "cli.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{ "demo", cmd_demo, N_("demo [--db PATH]          open the workstation on the demo survey") },
	{ "check", cmd_check, N_("check FORM...            report every error in form files") },
	{ "show", cmd_show, N_("show FORM [--lang L]     print a form as a readable script") },
	{ "walk", cmd_walk, N_("walk FORM [--lang L] [--case f=v ...] [--answer q=v ...] [--json]\n"
	                    "                           run the route with given answers") },
	{ "sample", cmd_sample, N_("sample import FILE.csv --form FORM   import cases (all or nothing)\n"
	                        "  cati sample example FORM [-n N]       an example sample for a form") },
	{ "interview", cmd_interview, N_("interview --case KEY --interviewer ID   run an interview from standard input") },
	{ "enroll", cmd_enroll, N_("enroll https://HOST:PORT [--cacert CA.pem] [--user ID]   connect this workstation to a store") },
	{ "sync", cmd_sync, N_("sync --user ID | --log    send records, receive forms and cases; or show the log") },
	{ "next", cmd_next, N_("next [--interviewer ID] [--study FILE] [--why] [--lock]   who to call now, and why") },
	{ "call", cmd_call, N_("call --case KEY --outcome OUTCOME   record a call attempt (busy, no_answer, refusal, ...)") },
	{ "appointment", cmd_appointment, N_("appointment --case KEY --at 'YYYY-MM-DD HH:MM' [--soft]   make an appointment") },
	{ "report", cmd_report, N_("report rates [--e E]     dispositions and AAPOR response rates\n"
	                        "  cati report quotas [--study-id ID]   quota cells: target, counts, allowance, open or full") },
	{ "supervise", cmd_supervise, N_("supervise --study STUDY [--user NAME] [--password-file FILE] [--every SECONDS]\n"
	                              "                           the supervisor's console: quotas, interviewers, rates, results") },
	{ "study", cmd_study, N_("study publish|forms|import|cases|assign|take-back|conflicts|resolve|workstations ...\n"
	                      "                           run a study on the store as its supervisor (cati study --help)") },
	{ "export", cmd_export, N_("export --study ID --format csv|json|sav|dta|sas|sss|ddi|codebook|all --out FILE [--lang L] [--all]\n"
	                        "       [--with-identities] [--calls FILE.csv [--with-phone]]   interviews as a data set with labels; call records") },
	{ "doctor", cmd_doctor, N_("doctor [--db PATH]       check the database's integrity (never creates one)") },
	{ "simulate", cmd_simulate, N_("simulate FORM [-n N] [--seed S]\n"
	                            "                           random interviews: routing coverage") },
};

/* The list of commands, to out. */
static void usage(FILE *out)
{
	size_t i;

	fputs(_("usage: cati [--db PATH] [--study FILE]   the interviewer's workstation\n"
	         "       cati COMMAND [ARGS]   (commands using the database take --db PATH)\n"
	         "       cati COMMAND --help   the command's options\n"
	         "       cati --version\n\ncommands:\n"), out);
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  cati %s\n", _(commands[i].help));
}

/* Dispatch to the command named by argv[1]; options first (or none) open the workstation. */
int main(int argc, char **argv)
{
	size_t i;

	i18n_init("cati", NULL);
	if (argc >= 2 && !strcmp(argv[1], "--version")) {
		printf("cati %s\n", CATI_VERSION);
		return EXIT_OK;
	}
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))) {
		usage(stdout);
		return EXIT_OK;
	}
	/* no command: the interviewer's workstation (its own options, e.g. --db, --study) */
	if (argc < 2 || argv[1][0] == '-')
		return cmd_tui(argc, argv);
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, _("cati: unknown command '%s'\n"), argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
