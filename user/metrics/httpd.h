/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The metrics endpoint's HTTP side: which request gets which answer (a pure
 * function, fuzzed), the listen address, rate-limited logging, and the
 * server itself (libmicrohttpd, in its own thread).
 */
#ifndef __VIPC_HTTPD_H
#define __VIPC_HTTPD_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include "promtext.h"

/* What the server needs of a request to answer it. */
struct vipc_http_request {
	const char *method;
	const char *url;	    /* the path, decoded, without the query */
	const char *accept;	    /* Accept header, NULL if none */
	const char *content_length; /* Content-Length header, NULL if none */
	bool transfer_encoding;	    /* a Transfer-Encoding header (a body follows) */
};

enum vipc_http_page {
	VIPC_PAGE_ERROR,   /* reply.text as text/plain */
	VIPC_PAGE_INDEX,   /* reply.text as text/plain, status 200 */
	VIPC_PAGE_METRICS, /* the exposition */
};

struct vipc_http_reply {
	unsigned int status;
	enum vipc_http_page page;
	bool openmetrics; /* VIPC_PAGE_METRICS: the client prefers OpenMetrics */
	const char *text; /* body of the error or index page */
};

/* GET or HEAD of /metrics (200, the exposition) or / (200, a pointer to
 * /metrics); any other path 404; other methods 405; a request with a body
 * 413.
 */
void vipc_http_route(const struct vipc_http_request *rq, struct vipc_http_reply *r);
/* Does @accept (an Accept header, NULL: none) rank OpenMetrics 1.0.0 above
 * the text format 0.0.4? Ties and unparsable ranges go to the text format.
 */
bool vipc_http_wants_openmetrics(const char *accept);

/* "PORT" (127.0.0.1), "ADDR:PORT" or "[ADDR6]:PORT", numeric: 0 or -EINVAL. */
int vipc_listen_parse(const char *s, struct sockaddr_storage *ss);
/* "ADDR:PORT" or "[ADDR6]:PORT" of an AF_INET or AF_INET6 address. */
void vipc_sockaddr_format(const struct sockaddr *sa, char *buf, size_t size);

/* At most VIPC_RATELIMIT_BURST lines per VIPC_RATELIMIT_S seconds. */
#define VIPC_RATELIMIT_BURST 10
#define VIPC_RATELIMIT_S 10
struct vipc_ratelimit {
	__u64 start; /* the current window's first second */
	unsigned int used, suppressed;
};

/* May a line be logged at second @now? *@held is set to the lines held
 * back since the last one logged (to say so in it).
 */
bool vipc_ratelimit_ok(struct vipc_ratelimit *rl, __u64 now, unsigned int *held);

/* The exposition for one scrape: 0, or -errno (answered 503). */
typedef int (*vipc_collect_fn)(void *ctx, struct vipc_prom *p);

/* The server's bounds: connections at once (each an open file: a quarter
 * of RLIMIT_NOFILE when that is fewer), the memory each has for its
 * request and reply headers, and how long one may go without sending or
 * taking a byte.
 */
#define VIPC_HTTP_CONNECTIONS 256
#define VIPC_HTTP_CONN_MEMORY 16384
#define VIPC_HTTP_TIMEOUT_S 10

/* A connection: the requests it brought, and its place in the line of
 * those waiting for one (oldest first) while it waits.
 */
struct vipc_http_conn {
	TAILQ_ENTRY(vipc_http_conn) line;
	struct MHD_Connection *c;
	unsigned long requests;
	bool waiting, evicted;
};

struct vipc_httpd {
	struct MHD_Daemon *daemon;
	vipc_collect_fn collect;
	void *ctx;
	struct vipc_ratelimit rl;
	unsigned int limit; /* connections at once */
	TAILQ_HEAD(, vipc_http_conn) waiting;
};

/* Serve @collect's exposition on @listen from libmicrohttpd's own thread:
 * 0, or -EINVAL (bad address) or -errno (cannot bind), said on stderr.
 * With every connection taken, a new one closes the one that has waited
 * longest for a request.
 */
int vipc_httpd_start(struct vipc_httpd *h, const char *listen, vipc_collect_fn collect,
		     void *ctx);
void vipc_httpd_stop(struct vipc_httpd *h);

#endif /* __VIPC_HTTPD_H */
