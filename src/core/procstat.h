/* procstat.h - what the process costs, read from Linux's /proc at the time of asking (for
 * the process_* metrics, named as Prometheus's client libraries name them). */
#ifndef QOC_CORE_PROCSTAT_H
#define QOC_CORE_PROCSTAT_H

#include <stdbool.h>
#include <stdint.h>

struct qoc_procstat {
	double cpu_seconds;    /* user + system time of every thread so far */
	double resident_bytes; /* resident set size */
	double virtual_bytes;  /* virtual memory size */
	double open_fds;       /* open file descriptors */
	double max_fds;        /* soft limit on them */
	double start_time;     /* seconds since the Unix epoch */
	double threads;        /* threads now */
};

/* Fills *out; a field that cannot be read is NaN (the exposition writes NaN). */
void qoc_procstat_read(struct qoc_procstat *out);

#endif
