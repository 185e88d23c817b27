/* ask.c: a line from the terminal, for the commands that log in to the store. */
#include <stdio.h>
#include <string.h>
#include <termios.h>

#include "cli.h"

/* A line from the terminal (echo off for secrets); 0, or -1 when there is none. */
int cli_ask(const char *prompt, char *out, size_t n, int secret)
{
	FILE *tty = fopen("/dev/tty", "r+");
	struct termios old, quiet;
	int hidden = 0, rc = -1;

	if (!tty)
		return -1;
	fputs(prompt, tty);
	fflush(tty);
	if (secret && tcgetattr(fileno(tty), &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		hidden = tcsetattr(fileno(tty), TCSAFLUSH, &quiet) == 0;
	}
	if (fgets(out, (int)n, tty)) {
		out[strcspn(out, "\r\n")] = '\0';
		rc = 0;
	}
	if (hidden) {
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
		fputc('\n', tty);
	}
	fclose(tty);
	return rc;
}
