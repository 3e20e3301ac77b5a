// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The metrics endpoint over HTTP with libmicrohttpd: routing and content
 * negotiation as pure functions, then the server that applies them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/resource.h>
#include <microhttpd.h>
#include "httpd.h"
#include "log.h"
#include "policy.h"
#include "text.h"

/* ---- routing ---- */

static const char index_text[] = "vipc metrics exporter: the metrics are at /metrics\n";

void vipc_http_route(const struct vipc_http_request *rq, struct vipc_http_reply *r)
{
	const char *cl = rq->content_length;

	*r = (struct vipc_http_reply){ .page = VIPC_PAGE_ERROR };
	if (strcmp(rq->method, "GET") && strcmp(rq->method, "HEAD")) {
		r->status = 405;
		r->text = "only GET and HEAD are served\n";
	} else if (rq->transfer_encoding || (cl && strspn(cl, "0") != strlen(cl))) {
		r->status = 413;
		r->text = "no request body is accepted\n";
	} else if (!strcmp(rq->url, "/metrics")) {
		r->status = 200;
		r->page = VIPC_PAGE_METRICS;
		r->openmetrics = vipc_http_wants_openmetrics(rq->accept);
	} else if (!strcmp(rq->url, "/")) {
		r->status = 200;
		r->page = VIPC_PAGE_INDEX;
		r->text = index_text;
	} else {
		r->status = 404;
		r->text = "not found: the metrics are at /metrics\n";
	}
}

/* @n bytes at @s, spaces and tabs around them dropped, equal @lit (any case)? */
static bool word_is(const char *s, size_t n, const char *lit)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n == strlen(lit) && !strncasecmp(s, lit, n);
}

/* A qvalue (RFC 9110: 0, 0.xyz, 1, 1.000) in thousandths, -1 if malformed. */
static int qvalue(const char *s, size_t n)
{
	int q, scale = 100;
	size_t i;

	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (!n || (s[0] != '0' && s[0] != '1') || (n > 1 && (s[1] != '.' || n > 5)))
		return -1;
	q = (s[0] - '0') * 1000;
	for (i = 2; i < n; i++, scale /= 10) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		q += (s[i] - '0') * scale;
	}
	return q > 1000 ? -1 : q;
}

enum media { MEDIA_OTHER, MEDIA_TEXT, MEDIA_OPENMETRICS };

/* One media range ("type/sub; version=V; q=Q", @n bytes): what it accepts
 * and its weight (0 when it accepts nothing of ours).
 */
static enum media media_range(const char *s, size_t n, int *q)
{
	const char *semi = memchr(s, ';', n), *p, *end = s + n, *eq;
	size_t tn = semi ? (size_t)(semi - s) : n;
	enum media m = MEDIA_OTHER;
	bool om;

	*q = 1000;
	om = word_is(s, tn, "application/openmetrics-text");
	if (om || word_is(s, tn, "text/plain") || word_is(s, tn, "text/*") ||
	    word_is(s, tn, "*/*"))
		m = om ? MEDIA_OPENMETRICS : MEDIA_TEXT;
	for (p = semi; p && p < end; p = memchr(p + 1, ';', end - p - 1)) {
		const char *next = memchr(p + 1, ';', end - p - 1);
		size_t pn = (next ? next : end) - (p + 1);

		eq = memchr(p + 1, '=', pn);
		if (!eq)
			return MEDIA_OTHER;
		if (word_is(p + 1, eq - p - 1, "q"))
			*q = qvalue(eq + 1, pn - (eq - p));
		else if (word_is(p + 1, eq - p - 1, "version") &&
			 !(om ? word_is(eq + 1, pn - (eq - p), "1.0.0") ||
					word_is(eq + 1, pn - (eq - p), "0.0.1") :
				word_is(eq + 1, pn - (eq - p), "0.0.4")))
			m = MEDIA_OTHER;
	}
	return *q < 0 ? MEDIA_OTHER : m;
}

bool vipc_http_wants_openmetrics(const char *accept)
{
	int best[3] = { 0, 0, 0 }, q;
	const char *s = accept, *comma;
	enum media m;
	size_t n;

	for (; s && *s; s = comma ? comma + 1 : NULL) {
		comma = strchr(s, ',');
		n = comma ? (size_t)(comma - s) : strlen(s);
		m = media_range(s, n, &q);
		if (q > best[m])
			best[m] = q;
	}
	return best[MEDIA_OPENMETRICS] > best[MEDIA_TEXT];
}

/* ---- addresses ---- */

/* A port: 1 to 5 digits, at most 65535. */
static int parse_port(const char *s, in_port_t *port)
{
	unsigned long v = 0;
	size_t i, n = strlen(s);

	if (!n || n > 5 || strspn(s, "0123456789") != n)
		return -EINVAL;
	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	if (v > 65535)
		return -EINVAL;
	*port = htons(v);
	return 0;
}

int vipc_listen_parse(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(s, ':');
	size_t n;

	memset(ss, 0, sizeof(*ss));
	if (!colon) {
		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return parse_port(s, &in->sin_port);
	}
	n = colon - s;
	if (n >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, n);
	host[n] = '\0';
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		host[n - 1] = '\0';
		in6->sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, host + 1, &in6->sin6_addr) != 1)
			return -EINVAL;
		return parse_port(colon + 1, &in6->sin6_port);
	}
	in->sin_family = AF_INET;
	if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
		return -EINVAL;
	return parse_port(colon + 1, &in->sin_port);
}

void vipc_sockaddr_format(const struct sockaddr *sa, char *buf, size_t size)
{
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
	const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
	char host[INET6_ADDRSTRLEN] = "?";

	if (sa && sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "[%s]:%u", host, ntohs(in6->sin6_port));
	} else if (sa && sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%u", host, ntohs(in->sin_port));
	} else {
		snprintf(buf, size, "?");
	}
}

/* ---- logging ---- */

bool vipc_ratelimit_ok(struct vipc_ratelimit *rl, __u64 now, unsigned int *held)
{
	if (now >= rl->start + VIPC_RATELIMIT_S || now < rl->start) {
		rl->start = now;
		rl->used = 0;
	}
	if (rl->used == VIPC_RATELIMIT_BURST) {
		rl->suppressed++;
		return false;
	}
	rl->used++;
	*held = rl->suppressed;
	rl->suppressed = 0;
	return true;
}

static __u64 now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* One warning line, unless too many came lately. */
static void __attribute__((format(printf, 2, 3))) log_limited(struct vipc_httpd *h,
							      const char *fmt, ...)
{
	unsigned int held;
	char line[512];
	va_list ap;

	if (!vipc_ratelimit_ok(&h->rl, now_s(), &held))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (held)
		pr_warn("metrics: %s (%u similar lines suppressed)\n", line, held);
	else
		pr_warn("metrics: %s\n", line);
}

/* libmicrohttpd's own complaints (malformed requests, full connections). */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[256];
	size_t n;

	/* One line, without the HTML page it quotes. */
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strcspn(line, "\r\n");
	if (strstr(line, " ('<"))
		n = strstr(line, " ('<") - line;
	snprintf(line + n, sizeof(line) - n, "%s", line[n] == ' ' ? ")" : "");
	log_limited(cls, "%s", line);
}

/* ---- the server ---- */

/* The peer's address, for a log line. */
static void peer_of(struct MHD_Connection *c, char *buf, size_t size)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	vipc_sockaddr_format(ci ? ci->client_addr : NULL, buf, size);
}

/* The request's text for a log line: its bytes escaped, cut short. */
static void log_request(struct vipc_httpd *h, struct MHD_Connection *c,
			const struct vipc_http_request *rq, unsigned int status)
{
	char peer[INET6_ADDRSTRLEN + 8], method[VIPC_TEXT_SIZE(16)], url[VIPC_TEXT_SIZE(64)];

	peer_of(c, peer, sizeof(peer));
	vipc_bytes_format(rq->method, strnlen(rq->method, 16), method, sizeof(method));
	vipc_bytes_format(rq->url, strnlen(rq->url, 64), url, sizeof(url));
	log_limited(h, "%s %s %s: %u", peer, method, url, status);
}

/* Queue @body (malloc'ed when @owned, freed by libmicrohttpd) as the reply. */
static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status, const char *type,
			     char *body, size_t len, bool owned)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, body, owned ? MHD_RESPMEM_MUST_FREE :
								   MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		if (owned)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == 405)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* The exposition, or 503 when it cannot be read. */
static enum MHD_Result reply_metrics(struct vipc_httpd *h, struct MHD_Connection *c,
				     bool openmetrics)
{
	static char unavailable[] = "vipc metrics unavailable (is vipc loaded?)\n";
	struct vipc_prom p;
	int err;

	vipc_prom_init(&p, openmetrics);
	err = h->collect(h->ctx, &p) ?: vipc_prom_finish(&p);
	if (err) {
		vipc_prom_free(&p);
		log_limited(h, "reading the metrics: %s", strerror(-err));
		return reply(c, 503, "text/plain; charset=utf-8", unavailable,
			     sizeof(unavailable) - 1, false);
	}
	return reply(c, 200, openmetrics ? VIPC_PROM_OPENMETRICS_TYPE : VIPC_PROM_TEXT_TYPE,
		     p.buf, p.len, true);
}

/* ---- connections: counted, and the longest waiting evicted ---- */

/* @k no longer waits for a request (it brought one, or is closing). */
static void conn_unwait(struct vipc_httpd *h, struct vipc_http_conn *k)
{
	if (k->waiting)
		TAILQ_REMOVE(&h->waiting, k, line);
	k->waiting = false;
}

/* @k waits for a request from now on: last in line. */
static void conn_wait(struct vipc_httpd *h, struct vipc_http_conn *k)
{
	conn_unwait(h, k);
	TAILQ_INSERT_TAIL(&h->waiting, k, line);
	k->waiting = true;
}

/* The connection's own record (its socket context), NULL if none. */
static struct vipc_http_conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* When @c, just accepted, took the last free slot: shut down the connection
 * that has waited longest for a request, so that a scraper always gets in.
 * libmicrohttpd reads its end at once (it polls, level-triggered) and frees
 * the slot, then accepts again.
 */
static void evict_oldest(struct vipc_httpd *h, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_DAEMON);
	const union MHD_DaemonInfo *di =
		ci ? MHD_get_daemon_info(ci->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS) : NULL;
	struct vipc_http_conn *old = TAILQ_FIRST(&h->waiting);
	char peer[INET6_ADDRSTRLEN + 8];

	if (!di || di->num_connections < h->limit || !old || old->c == c)
		return;
	ci = MHD_get_connection_info(old->c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!ci || shutdown(ci->connect_fd, SHUT_RDWR))
		return;
	conn_unwait(h, old);
	old->evicted = true;
	peer_of(old->c, peer, sizeof(peer));
	log_limited(h, "%s: closed to make room, all %u connections taken: it waited longest for a request",
		    peer, h->limit);
}

/* Record each connection (its socket context) and line it up; when it
 * closes having brought no request and was not evicted, it was malformed,
 * oversized or cut short, and libmicrohttpd answered it (4xx) or, when it
 * was not HTTP, just closed it.
 */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
			  enum MHD_ConnectionNotificationCode code)
{
	struct vipc_http_conn *k = *socket_ctx;
	struct vipc_httpd *h = cls;
	char peer[INET6_ADDRSTRLEN + 8];

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		k = *socket_ctx = calloc(1, sizeof(*k));
		if (k) {
			k->c = c;
			conn_wait(h, k);
		}
		evict_oldest(h, c);
		return;
	}
	if (!k)
		return;
	conn_unwait(h, k);
	if (!k->requests && !k->evicted) {
		peer_of(c, peer, sizeof(peer));
		log_limited(h, "%s: connection closed without a well-formed request", peer);
	}
	free(k);
	*socket_ctx = NULL;
}

/* A request arrived on @c (its headers are in): counted, out of the line. */
static void request_started(struct vipc_httpd *h, struct MHD_Connection *c)
{
	struct vipc_http_conn *k = conn_of(c);

	if (!k)
		return;
	k->requests++;
	conn_unwait(h, k);
}

/* A reply went out whole: the connection waits for the next request. */
static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct vipc_http_conn *k = conn_of(c);

	(void)req_cls;
	if (k && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		conn_wait(cls, k);
}

/* ---- requests ---- */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	struct vipc_http_request rq = { .method = method, .url = url };
	struct vipc_httpd *h = cls;
	struct vipc_http_reply r;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	/* Decide from the method, path and headers, before any body is read. */
	if (!*req_cls)
		request_started(h, c);
	rq.accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	rq.content_length =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	rq.transfer_encoding = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							   MHD_HTTP_HEADER_TRANSFER_ENCODING);
	vipc_http_route(&rq, &r);
	/* A refusal goes at once, and the connection closes (libmicrohttpd reads
	 * no further: not the body, not the next request). A 200 (no body) waits
	 * for the call once the request is complete, which keeps the connection
	 * for the next request, pipelined or not.
	 */
	if (r.status == 200 && !*req_cls) {
		*req_cls = h;
		return MHD_YES;
	}
	if (r.page == VIPC_PAGE_METRICS)
		return reply_metrics(h, c, r.openmetrics);
	if (r.status >= 400)
		log_request(h, c, &rq, r.status);
	return reply(c, r.status, "text/plain; charset=utf-8", (char *)r.text, strlen(r.text),
		     false);
}

/* VIPC_HTTP_CONNECTIONS, or a quarter of the open-file limit when that is
 * fewer: the loader's own files (pins, cgroups, a scrape's maps) keep room.
 */
static unsigned int connection_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur / 4 >= VIPC_HTTP_CONNECTIONS)
		return VIPC_HTTP_CONNECTIONS;
	return rl.rlim_cur / 4 ?: 1;
}

int vipc_httpd_start(struct vipc_httpd *h, const char *listen, vipc_collect_fn collect,
		     void *ctx)
{
	/* poll(), level-triggered: the epoll loop of libmicrohttpd 0.9.75 misses
	 * a peer's close that comes with its last bytes, and keeps the slot until
	 * the timeout.
	 */
	unsigned int flags = MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *info;
	struct sockaddr_storage ss;
	char where[INET6_ADDRSTRLEN + 8];

	*h = (struct vipc_httpd){ .collect = collect, .ctx = ctx, .limit = connection_limit() };
	TAILQ_INIT(&h->waiting);
	if (vipc_listen_parse(listen, &ss)) {
		pr_warn("metrics: bad listen address '%s': expected PORT, ADDR:PORT or [ADDR6]:PORT\n",
			listen);
		return -EINVAL;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* Small requests only, bounded connections, no idle ones; strict parsing. */
	h->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
				     MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h,
				     MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
				     MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)VIPC_HTTP_CONN_MEMORY,
				     MHD_OPTION_CONNECTION_LIMIT, h->limit,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)VIPC_HTTP_TIMEOUT_S,
				     MHD_OPTION_STRICT_FOR_CLIENT, 1, MHD_OPTION_END);
	if (!h->daemon) {
		vipc_sockaddr_format((struct sockaddr *)&ss, where, sizeof(where));
		pr_warn("metrics: cannot serve on %s (address in use or not local?)\n", where);
		return -EADDRNOTAVAIL;
	}
	/* Say where, with the port the kernel chose for port 0. */
	info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	if (info)
		((struct sockaddr_in *)&ss)->sin_port = htons(info->port);
	vipc_sockaddr_format((struct sockaddr *)&ss, where, sizeof(where));
	pr_info("metrics: serving http://%s/metrics\n", where);
	return 0;
}

void vipc_httpd_stop(struct vipc_httpd *h)
{
	if (h->daemon)
		MHD_stop_daemon(h->daemon);
	h->daemon = NULL;
}
