/* bench_tui.c: time from a keystroke to the next screen drawn, through a pty, on the real
 * bin/cati: each key answers a question (commit included) and the next one is painted. */
#define _DEFAULT_SOURCE
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "bench.h"
#include <unistd.h>

/* Read until the output has been quiet for quiet_us; returns the time of the last byte. */
static double drain(int fd, double quiet_us, double give_up_us, char *tail, size_t tn)
{
	char buf[65536];
	double start = bench_now_us(), last = 0;
	struct pollfd p = { fd, POLLIN, 0 };
	ssize_t n;

	for (;;) {
		double t = bench_now_us();
		int wait_ms = last ? 1 : 50;
		if (last && t - last >= quiet_us)
			return last;
		if (!last && t - start > give_up_us)
			return -1;
		if (poll(&p, 1, wait_ms) > 0) {
			n = read(fd, buf, sizeof buf);
			if (n <= 0)
				return last ? last : -1;
			last = bench_now_us();
			if (tail) {
				size_t k = (size_t)n < tn - 1 ? (size_t)n : tn - 1;
				memcpy(tail, buf + n - k, k);
				tail[k] = '\0';
			}
		}
	}
}

int main(int argc, char **argv)
{
	const char *cati = argc > 1 ? argv[1] : "bin/cati";
	char dir[] = "/var/tmp/cati-tui-XXXXXX", cmd[4096], path[256], db[256];
	enum { N = 300 };
	double t[N], t0, done;
	struct winsize ws = { 24, 80, 0, 0 };
	FILE *f;
	int fd, i, k = 0;
	pid_t pid;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/b.form", dir);
	f = fopen(path, "w");
	fprintf(f, "form bench\nlanguages en\nscale s5\n");
	for (i = 1; i <= 5; i++)
		fprintf(f, "  %d \"answer %d\"\n", i, i);
	for (i = 1; i <= N; i++)
		fprintf(f, "single q%d s5\n  say \"Question %d: how do you rate this part of the service?\"\n"
		           "  note \"Read the scale.\"\n", i, i);
	fclose(f);
	snprintf(db, sizeof db, "%s/b.db", dir);
	snprintf(cmd, sizeof cmd, "'%s' sample example '%s' -n 3 > '%s/s.csv' && '%s' demo --db '%s' --form '%s' --sample '%s/s.csv' --setup-only",
	         cati, path, dir, cati, db, path, dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "bench_tui: setup failed\n");
		return 1;
	}
	pid = forkpty(&fd, NULL, NULL, &ws);
	if (pid == 0) {
		setenv("TERM", "xterm-256color", 1);
		setenv("LANG", "C.UTF-8", 1);
		/* within calling hours whenever the benchmark runs */
		setenv("CATI_NOW", "2026-03-02T09:00:00Z", 1);
		execl(cati, cati, "--db", db, (char *)NULL);
		_exit(127);
	}
	drain(fd, 100000, 3e6, NULL, 0);
	if (write(fd, "demo\rdemo\r", 10) < 0)
		return 1;
	drain(fd, 100000, 3e6, NULL, 0);
	if (write(fd, "n", 1) < 0)
		return 1;
	drain(fd, 100000, 3e6, NULL, 0);
	if (write(fd, "1", 1) < 0)
		return 1;
	drain(fd, 100000, 3e6, NULL, 0);
	for (i = 0; i < N - 1; i++) {
		t0 = bench_now_us();
		if (write(fd, "3", 1) < 0)
			break;
		done = drain(fd, 3000, 2e6, NULL, 0);
		if (done < 0)
			break;
		t[k++] = done - t0;
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_tui: could not remove %s\n", dir);
	if (k < 10) {
		fprintf(stderr, "bench_tui: only %d screens measured\n", k);
		return 1;
	}
	qsort(t, (size_t)k, sizeof t[0], bench_cmp_double);
	printf("tui: keystroke to next screen drawn (answer committed, 80x24 pty), %d keys: median %.2f ms, "
	       "p99 %.2f ms, max %.2f ms (target p99 < 5 ms)\n",
	       k, t[k / 2] / 1000, t[(int)(k * 0.99)] / 1000, t[k - 1] / 1000);
	return 0;
}
