/* cli.h: the subcommands of the cati program. Each returns the process exit status. */
#ifndef CATI_CLI_H
#define CATI_CLI_H

#include <getopt.h>
#include <stddef.h>

/* Exit statuses shared by the subcommands. */
#define EXIT_OK 0
#define EXIT_FAIL 1     /* the command ran and found a problem (form errors, ...) */
#define EXIT_USAGE 2    /* bad arguments, or input/output failed */

/* A line from the terminal (echo off when secret) after prompt into out (n bytes); 0, or -1 when
   there is no terminal or nothing was typed. */
int cli_ask(const char *prompt, char *out, size_t n, int secret);

int cmd_check(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_walk(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_sample(int argc, char **argv);
int cmd_sample_example(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_interview(int argc, char **argv);
int cmd_tui(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_enroll(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_next(int argc, char **argv);
int cmd_call(int argc, char **argv);
int cmd_appointment(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_supervise(int argc, char **argv);
int cmd_study(int argc, char **argv);

/* The options every command that uses the database accepts (in its getopt_long table). */
#define CLI_OPT_DB { "db", required_argument, NULL, 'D' }
#define CLI_OPT_HELP { "help", no_argument, NULL, 'h' }

/* The path of a file `cati demo` needs (demo.form, demo-sample.csv): under the installed share
 * directory (CATI_SHAREDIR/forms) when it is there, else forms/ of the source tree. Returns buf,
 * which the caller owns (size bytes; PATH_MAX is enough). */
const char *cli_demo_file(const char *name, char *buf, size_t size);

struct form;
/* Compile a form file, printing every error to stderr; *io set when it could not be read. */
struct form *cli_load_form(const char *path, int *io);

struct call_rules;
/* The calling rules: path (--study FILE), else $CATI_STUDY, else the defaults.
   -1 after printing file:line of an error. */
int cli_load_rules(const char *path, struct call_rules *r);

struct store;
/* Open the database db (--db PATH; NULL: $CATI_DB or the default place). With must_exist a
   missing file is refused ("cannot open database 'x': no such file") and nothing is created.
   NULL after printing why. */
struct store *cli_open_store(const char *db, int must_exist);

#endif
