/* procstat.c - see procstat.h. proc(5): /proc/self/stat, /proc/stat (btime), /proc/self/fd. */
#include "core/procstat.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* Seconds since the epoch at boot: "btime" of /proc/stat; NaN when unreadable. */
static double boot_time(void)
{
	FILE *f = fopen("/proc/stat", "r");
	if (!f)
		return NAN;
	char line[256];
	double t = NAN;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v;
		if (sscanf(line, "btime %llu", &v) == 1) {
			t = (double)v;
			break;
		}
	}
	fclose(f);
	return t;
}

/* /proc/self/stat: the fields after "(comm)", which may itself hold spaces and ')'. */
static void read_stat(struct qoc_procstat *out)
{
	FILE *f = fopen("/proc/self/stat", "r");
	if (!f)
		return;
	char buf[1024];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	if (!p)
		return;
	unsigned long long utime, stime, threads, start, vsize;
	long long rss;
	/* Fields 3.. : state, 4-13 skipped, utime 14, stime 15, 16-19 skipped, num_threads 20,
	 * 21 skipped, starttime 22, vsize 23, rss 24 (pages). */
	if (sscanf(p + 1,
	           " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %llu "
	           "%*d %llu %llu %lld",
	           &utime, &stime, &threads, &start, &vsize, &rss) != 6)
		return;
	long hz = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	if (hz <= 0 || page <= 0)
		return;
	out->cpu_seconds = (double)(utime + stime) / (double)hz;
	out->threads = (double)threads;
	out->virtual_bytes = (double)vsize;
	out->resident_bytes = (double)rss * (double)page;
	out->start_time = boot_time() + (double)start / (double)hz;
}

static double count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return NAN;
	double n = 0;
	for (struct dirent *e; (e = readdir(d));)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

void qoc_procstat_read(struct qoc_procstat *out)
{
	out->cpu_seconds = out->resident_bytes = out->virtual_bytes = NAN;
	out->start_time = out->threads = NAN;
	read_stat(out);
	out->open_fds = count_fds();
	struct rlimit rl;
	out->max_fds = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
	                   ? (double)rl.rlim_cur
	                   : NAN;
}
