/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/vpnhubctl.c - the operator CLI: asks a running vpnhub over its DPDK telemetry v2 socket
 * and prints tables (app/format.c) or JSON.
 *
 * Protocol: AF_UNIX SOCK_SEQPACKET; on connect the server sends one JSON object announcing
 * max_output_len, then every message "CMD[,PARAM]" gets exactly one reply {"CMD": data}.
 * Invariants: every send and receive has an IO_TIMEOUT_S timeout, so a stuck hub never hangs
 * the CLI; a reply that is truncated, not JSON or not keyed by the command sent is an error and
 * is never printed as data; a paged table is read over one connection and merged into one
 * object before it is printed. Exit status: 0 success, 1 runtime error, 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "app/format.h"
#include "app/json.h"

#define PROG		 "vpnhubctl"
#define EXIT_RUNTIME	 1
#define EXIT_USAGE	 2
#define DEFAULT_INSTANCE "vpnhub"
#define RUN_DIR		 "/var/run/dpdk"
#define SOCKET_NAME	 "dpdk_telemetry.v2"
#define IO_TIMEOUT_S	 2
/* DPDK 22.11 MAX_OUTPUT_LEN: the hello and every reply fit unless the hub announces more. */
#define REPLY_MIN 16384
/* The server reads a request into 1024 bytes, one of them its NUL. */
#define REQUEST_MAX 1023
/* Enough for any table the hub keeps; bounds memory if a hub keeps announcing more. */
#define PAGED_ENTRIES_MAX (1u << 20)

struct ctl {
	const char *instance;
	const char *socket; /* --socket, else NULL */
	bool json;
	char path[sizeof(((struct sockaddr_un *)NULL)->sun_path)];
	char who[sizeof(((struct sockaddr_un *)NULL)->sun_path) + 16];
	int fd;
	char *buf;  /* one reply plus a NUL */
	size_t cap; /* largest reply accepted */
};

struct show_cmd {
	const char *words; /* what follows "show" */
	const char *cmd;
	int (*fmt)(FILE *out, const struct json *data);
	/* Paged tables take a family filter and are fetched page by page. */
	int (*fmt_af)(FILE *out, const struct json *data, enum format_family af);
	enum format_family af;
	/* Paged too; the words may be followed by "peer ADDR" or "spi SPI". */
	int (*fmt_sa)(FILE *out, const struct json *data, const struct format_sa_filter *f);
	/* The list is paged, then each entry asked again as "CMD,<its id>" for its detail. */
	int (*fmt_detail)(FILE *out, const struct json *data);
	/* IKE SA lists: keep only the SAs of this IKE version (before any detail); 0: all. */
	int ike_version;
};

/* A show command as parsed: the table and its filter. */
struct show_req {
	const struct show_cmd *show;
	struct format_sa_filter sa;
};

static const struct show_cmd show_cmds[] = {
	{"version", "/vpnhub/version", format_version, NULL, FORMAT_AF_ANY, NULL, NULL, 0},
	{"interfaces", "/vpnhub/interfaces", format_interfaces, NULL, FORMAT_AF_ANY, NULL, NULL, 0},
	{"ip route", "/vpnhub/routes", NULL, format_routes, FORMAT_AF_INET, NULL, NULL, 0},
	{"ipv6 route", "/vpnhub/routes", NULL, format_routes, FORMAT_AF_INET6, NULL, NULL, 0},
	{"route", "/vpnhub/routes", NULL, format_routes, FORMAT_AF_ANY, NULL, NULL, 0},
	{"arp", "/vpnhub/neighbors", NULL, format_neighbors, FORMAT_AF_INET, NULL, NULL, 0},
	{"ipv6 neighbors", "/vpnhub/neighbors", NULL, format_neighbors, FORMAT_AF_INET6, NULL, NULL,
	 0},
	{"neighbors", "/vpnhub/neighbors", NULL, format_neighbors, FORMAT_AF_ANY, NULL, NULL, 0},
	{"stats", "/vpnhub/stats", format_stats, NULL, FORMAT_AF_ANY, NULL, NULL, 0},
	{"config", "/vpnhub/config", format_config, NULL, FORMAT_AF_ANY, NULL, NULL, 0},
	{"crypto ipsec sa", "/vpnhub/ipsec/sa", NULL, NULL, FORMAT_AF_ANY, format_ipsec_sa, NULL,
	 0},
	{"crypto ipsec sa summary", "/vpnhub/ipsec/sa", NULL, NULL, FORMAT_AF_ANY,
	 format_ipsec_sa_summary, NULL, 0},
	{"crypto map", "/vpnhub/ipsec/spd", NULL, format_crypto_map, FORMAT_AF_ANY, NULL, NULL, 0},
	{"crypto ikev2 sa", "/vpnhub/ike/sa", NULL, format_ike_sa, FORMAT_AF_ANY, NULL, NULL, 2},
	{"crypto ikev2 sa detail", "/vpnhub/ike/sa", NULL, NULL, FORMAT_AF_ANY, NULL,
	 format_ike_sa_detail, 2},
	{"crypto isakmp sa", "/vpnhub/ike/sa", NULL, format_isakmp_sa, FORMAT_AF_ANY, NULL, NULL,
	 1},
};

static const char usage_text[] =
	"Usage: " PROG " [OPTIONS] show WHAT\n"
	"       " PROG " [OPTIONS] raw CMD[,PARAM]\n"
	"\n"
	"Query a running vpnhub over its DPDK telemetry socket.\n"
	"\n"
	"WHAT:\n"
	"  version            hub, DPDK and ipsec-mb versions, workers, uptime\n"
	"  interfaces         interfaces: link, MTU, MAC, addresses, counters\n"
	"  ip route           IPv4 routes\n"
	"  ipv6 route         IPv6 routes\n"
	"  route              all routes\n"
	"  arp                IPv4 neighbors\n"
	"  ipv6 neighbors     IPv6 neighbors\n"
	"  neighbors          all neighbors\n"
	"  stats              per-lcore counters and drops by reason\n"
	"  config             the running configuration\n"
	"  crypto ipsec sa [summary] [peer ADDR | spi SPI]\n"
	"                     IPsec SAs per tunnel: counters, errors, lifetimes, sequence numbers\n"
	"                     (summary: one line per SA); peer and spi keep the tunnels with\n"
	"                     that peer or with an SA of that SPI (decimal or 0x hex)\n"
	"  crypto map         crypto maps: interface, entries in order with their selectors,\n"
	"                     actions, SPIs and hits\n"
	"  crypto ikev2 sa [detail]\n"
	"                     IKEv2 SAs: peer, role, state, endpoints, algorithms, virtual IP,\n"
	"                     age, Child SA SPIs (detail: one block per SA with identities,\n"
	"                     times, NAT, DPD, message IDs and each Child SA's selectors,\n"
	"                     lifetimes and counters)\n"
	"  crypto isakmp sa   IKEv1 SAs (IOS layout): dst, src, state, conn-id, status, peer,\n"
	"                     encryption, hash, DH group, NAT-T\n"
	"\n"
	"raw sends CMD (for example /vpnhub/routes,64) and prints the reply as received.\n"
	"\n"
	"Options:\n"
	"  -i, --instance NAME  instance to query (default " DEFAULT_INSTANCE "); its socket is\n"
	"                       " RUN_DIR "/NAME/" SOCKET_NAME "\n"
	"  -s, --socket PATH    telemetry socket to use instead of the instance's\n"
	"  -j, --json           print the reply data as JSON instead of tables\n"
	"  -h, --help           print this help and exit\n"
	"\n"
	"Exit status: 0 success, 1 runtime error, 2 usage error.\n";

static void __attribute__((format(printf, 1, 2))) err(const char *fmt, ...)
{
	va_list ap;
	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int __attribute__((format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry '" PROG " --help'.\n", stderr);
	return EXIT_USAGE;
}

/* An instance name becomes a path component: no separators, no way up. */
static bool instance_ok(const char *name)
{
	return name[0] != '\0' && strchr(name, '/') == NULL && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0;
}

static int socket_path(struct ctl *c)
{
	int n;
	if (c->socket != NULL) {
		n = snprintf(c->path, sizeof(c->path), "%s", c->socket);
		snprintf(c->who, sizeof(c->who), "%s", c->socket);
	} else {
		if (!instance_ok(c->instance))
			return usage_error("invalid instance name '%s'", c->instance);
		n = snprintf(c->path, sizeof(c->path), RUN_DIR "/%s/" SOCKET_NAME, c->instance);
		snprintf(c->who, sizeof(c->who), "instance '%s'", c->instance);
	}
	if (n <= 0 || (size_t)n >= sizeof(c->path))
		return usage_error("socket path too long (at most %zu bytes)", sizeof(c->path) - 1);
	return 0;
}

/* Options anywhere on the line; returns 0 to go on, -1 after --help, else an exit status. */
static int parse_options(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"instance", required_argument, NULL, 'i'},
		{"socket", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int o;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":i:s:jh", opts, NULL)) != -1) {
		switch (o) {
		case 'i':
			c->instance = optarg;
			break;
		case 's':
			c->socket = optarg;
			break;
		case 'j':
			c->json = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return -1;
		case ':':
			return usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			if (optopt != 0)
				return usage_error("unknown option '-%c'", optopt);
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	return socket_path(c);
}

static int set_timeouts(int fd)
{
	struct timeval tv = {.tv_sec = IO_TIMEOUT_S};
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0)
		return -errno;
	return 0;
}

static const char *connect_hint(int rc)
{
	if (rc == -ENOENT || rc == -ECONNREFUSED)
		return " (is vpnhub running?)";
	if (rc == -EACCES || rc == -EPERM)
		return " (the socket is for root and the hub's group)";
	return "";
}

static int ctl_connect(struct ctl *c)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	memcpy(sa.sun_path, c->path, strlen(c->path) + 1);
	int rc = 0, fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		rc = -errno;
	else if ((rc = set_timeouts(fd)) == 0 &&
		 connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) != 0)
		rc = -errno;
	if (rc == 0) {
		c->fd = fd;
		return 0;
	}
	if (fd >= 0)
		close(fd);
	if (c->socket != NULL)
		err("cannot reach %s: %s%s", c->path, strerror(-rc), connect_hint(rc));
	else
		err("cannot reach instance '%s' at %s: %s%s", c->instance, c->path, strerror(-rc),
		    connect_hint(rc));
	return rc;
}

/* One message into c->buf, NUL-terminated; a message larger than the buffer is refused. */
static int ctl_recv(struct ctl *c, size_t *len)
{
	struct iovec iov = {.iov_base = c->buf, .iov_len = c->cap};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;
	do {
		n = recvmsg(c->fd, &msg, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
	if (n == 0)
		return -ECONNRESET;
	if (msg.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	c->buf[n] = '\0';
	*len = (size_t)n;
	return 0;
}

static void report_io(const struct ctl *c, const char *what, int rc)
{
	if (rc == -ETIMEDOUT)
		err("%s did not answer %s within %d s", c->who, what, IO_TIMEOUT_S);
	else if (rc == -ECONNRESET || rc == -EPIPE)
		err("%s closed the connection during %s (too many clients?)", c->who, what);
	else if (rc == -EMSGSIZE)
		err("%s sent more than %zu bytes for %s", c->who, c->cap, what);
	else
		err("%s: %s: %s", c->who, what, strerror(-rc));
}

static int set_capacity(struct ctl *c, size_t cap)
{
	char *buf = realloc(c->buf, cap + 1);
	if (buf == NULL) {
		err("out of memory");
		return -ENOMEM;
	}
	c->buf = buf;
	c->cap = cap;
	return 0;
}

/* The server's greeting announces how large a reply can be; size the buffer to it. */
static int ctl_hello(struct ctl *c)
{
	struct json *hello;
	uint64_t max = REPLY_MIN;
	size_t len;
	int rc = set_capacity(c, REPLY_MIN);
	if (rc == 0 && (rc = ctl_recv(c, &len)) != 0)
		report_io(c, "the greeting", rc);
	if (rc != 0)
		return rc;
	if (json_parse(c->buf, len, &hello, NULL) != 0 || json_type(hello) != JSON_OBJECT) {
		json_free(hello);
		err("%s at %s does not speak DPDK telemetry v2", c->who, c->path);
		return -EPROTO;
	}
	json_u64(json_get(hello, "max_output_len"), &max);
	json_free(hello);
	if (max < REPLY_MIN)
		max = REPLY_MIN;
	if (max > JSON_MAX_INPUT)
		max = JSON_MAX_INPUT;
	return set_capacity(c, (size_t)max);
}

static int ctl_exchange(struct ctl *c, const char *req, size_t *len)
{
	ssize_t n = send(c->fd, req, strlen(req), MSG_NOSIGNAL);
	int rc = 0;
	if (n < 0)
		rc = errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
	else if ((size_t)n != strlen(req))
		rc = -EMSGSIZE;
	if (rc == 0)
		rc = ctl_recv(c, len);
	if (rc != 0)
		report_io(c, req, rc);
	return rc;
}

/* Send cmd[,param]; on success *data is the detached value of the reply's single member. */
static int ctl_query(struct ctl *c, const char *cmd, const char *param, struct json **data)
{
	char req[REQUEST_MAX + 1];
	struct json_error e;
	struct json *root;
	size_t len;
	int n = param != NULL ? snprintf(req, sizeof(req), "%s,%s", cmd, param)
			      : snprintf(req, sizeof(req), "%s", cmd);
	if (n < 0 || (size_t)n >= sizeof(req)) {
		err("request longer than %d bytes", REQUEST_MAX);
		return -E2BIG;
	}
	int rc = ctl_exchange(c, req, &len);
	if (rc != 0)
		return rc;
	if ((rc = json_parse(c->buf, len, &root, &e)) != 0) {
		err("malformed reply to %s at byte %zu: %s", req, e.offset, e.msg);
		return -EPROTO;
	}
	if (json_type(root) != JSON_OBJECT || json_count(root) != 1 ||
	    strcmp(json_key(json_first(root)), cmd) != 0) {
		json_free(root);
		err("reply to %s is not keyed by %s", req, cmd);
		return -EPROTO;
	}
	*data = json_take_first(root);
	json_free(root);
	if (json_type(*data) != JSON_NULL)
		return 0;
	json_free(*data);
	err("%s has no answer to %s (unknown command or failed handler)", c->who, req);
	return -ENOENT;
}

static bool is_index(const char *key)
{
	return key[0] != '\0' && strspn(key, "0123456789") == strlen(key);
}

/* Move the entries of one page into acc, renumbered from *have so indexes stay unique even if
 * the table changed between pages; keep the first "total", drop the rest. */
static int merge_page(struct json *acc, struct json *page, size_t *have, size_t *got)
{
	struct json *m;
	char key[24];
	*got = 0;
	while ((m = json_take_first(page)) != NULL) {
		int rc = 0;
		if (is_index(json_key(m))) {
			snprintf(key, sizeof(key), "%zu", *have);
			rc = json_append(acc, m, key);
			if (rc == 0) {
				(*have)++;
				(*got)++;
			}
		} else if (strcmp(json_key(m), "total") == 0 && json_get(acc, "total") == NULL) {
			rc = json_append(acc, m, NULL);
		} else {
			json_free(m);
		}
		if (rc != 0) {
			json_free(m);
			return rc;
		}
	}
	return 0;
}

/* Ask ",START" until "total" entries arrived or a page comes back empty. */
static int fetch_paged(struct ctl *c, const char *cmd, struct json **out)
{
	struct json *acc = json_new_object(), *page;
	size_t have = 0, got = 0;
	uint64_t total = 0;
	char start[24];
	int rc = 0;
	if (acc == NULL) {
		err("out of memory");
		return -ENOMEM;
	}
	do {
		snprintf(start, sizeof(start), "%zu", have);
		rc = ctl_query(c, cmd, start, &page);
		if (rc != 0)
			break;
		/* Without a usable "total" the first page is the whole answer. */
		if (json_u64(json_get(page, "total"), &total) != 0)
			total = 0;
		rc = json_type(page) == JSON_OBJECT ? merge_page(acc, page, &have, &got) : -EPROTO;
		json_free(page);
		if (rc == -EPROTO)
			err("reply to %s is not an object", cmd);
		else if (rc != 0)
			err("cannot merge pages of %s: %s", cmd, strerror(-rc));
	} while (rc == 0 && got != 0 && have < total && have < PAGED_ENTRIES_MAX);
	if (rc == 0 && have >= PAGED_ENTRIES_MAX && have < total)
		err("%s: stopped after %zu of %" PRIu64 " entries", cmd, have, total);
	if (rc != 0) {
		json_free(acc);
		return rc;
	}
	*out = acc;
	return 0;
}

/* argv[0..k) joined by spaces into words; false when they do not fit. */
static bool join_words(char *words, size_t size, int k, char **argv)
{
	size_t n = 0;
	words[0] = '\0';
	for (int i = 0; i < k; i++) {
		int w = snprintf(words + n, size - n, "%s%s", i ? " " : "", argv[i]);
		if (w < 0 || (size_t)w >= size - n)
			return false;
		n += (size_t)w;
	}
	return true;
}

/* The table named by all the words after "show" or, for one that takes a filter, by the longest
 * run of leading words; *used says how many words name it. */
static const struct show_cmd *find_show(int argc, char **argv, int *used)
{
	char words[64];
	for (int k = argc; k > 0; k--) {
		if (!join_words(words, sizeof(words), k, argv))
			continue;
		for (size_t i = 0; i < sizeof(show_cmds) / sizeof(show_cmds[0]); i++) {
			if (strcmp(words, show_cmds[i].words) == 0 &&
			    (k == argc || show_cmds[i].fmt_sa != NULL)) {
				*used = k;
				return &show_cmds[i];
			}
		}
	}
	return NULL;
}

/* What follows "show crypto ipsec sa [summary]": nothing, "peer ADDR" or "spi SPI". */
static int parse_sa_filter(int argc, char **argv, struct format_sa_filter *f)
{
	if (argc == 0)
		return 0;
	bool peer = strcmp(argv[0], "peer") == 0;
	if (!peer && strcmp(argv[0], "spi") != 0)
		return usage_error("unknown filter '%s' (peer ADDR or spi SPI)", argv[0]);
	if (argc < 2)
		return usage_error("%s needs a value", argv[0]);
	if (argc > 2)
		return usage_error("unexpected '%s' after '%s %s'", argv[2], argv[0], argv[1]);
	if (format_sa_filter_set(f, argv[0], argv[1]) != 0)
		return usage_error(peer ? "'%s' is not an IPv4 or IPv6 address"
					: "'%s' is not a 32-bit SPI (decimal or 0x hex)",
				   argv[1]);
	return 0;
}

/*
 * Each entry of the list asked again by its "id" for its detail, into a new object under the
 * same keys. An SA gone between the two questions is left out; any other failure is an error.
 */
static int fetch_details(struct ctl *c, const char *cmd, const struct json *list, struct json **out)
{
	struct json *acc = json_new_object(), *one;
	int rc = acc == NULL ? -ENOMEM : 0;
	for (const struct json *m = json_first(list); m != NULL && rc == 0; m = json_next(m)) {
		const char *id = json_type(m) == JSON_OBJECT ? json_str(json_get(m, "id")) : NULL;
		if (id == NULL || strlen(id) != 16 || strspn(id, "0123456789abcdef") != 16)
			continue; /* not an SA entry ("total"), or an id the hub would refuse */
		rc = ctl_query(c, cmd, id, &one);
		if (rc == -ENOENT) {
			rc = 0;
			continue;
		}
		if (rc == 0 && (rc = json_append(acc, one, json_key(m))) != 0)
			json_free(one);
	}
	if (rc != 0) {
		json_free(acc);
		return rc;
	}
	*out = acc;
	return 0;
}

static int print_table(const struct show_req *req, const struct json *data)
{
	const struct show_cmd *s = req->show;
	if (s->fmt_detail != NULL)
		return s->fmt_detail(stdout, data);
	if (s->fmt_sa != NULL)
		return s->fmt_sa(stdout, data, &req->sa);
	return s->fmt_af != NULL ? s->fmt_af(stdout, data, s->af) : s->fmt(stdout, data);
}

static int run_show(struct ctl *c, const struct show_req *req)
{
	const struct show_cmd *s = req->show;
	struct json *data;
	bool paged = s->fmt_af != NULL || s->fmt_sa != NULL || s->fmt_detail != NULL;
	int rc = paged ? fetch_paged(c, s->cmd, &data) : ctl_query(c, s->cmd, NULL, &data);
	/* Before the details and --json: no question nor output for an SA of the other version.
	 * Data that is not an object is left for the table to refuse. */
	if (rc == 0 && s->ike_version != 0)
		(void)format_ike_sa_select(data, s->ike_version);
	if (rc == 0 && s->fmt_detail != NULL) {
		struct json *list = data;
		rc = fetch_details(c, s->cmd, list, &data);
		json_free(list);
	}
	if (rc != 0)
		return rc;
	if (c->json) {
		/* The JSON holds what the table would show. */
		if (s->fmt_sa != NULL)
			rc = format_ipsec_sa_select(data, &req->sa);
		if (rc == 0)
			rc = json_write(stdout, data, 2);
		fputc('\n', stdout);
	} else {
		rc = print_table(req, data);
	}
	json_free(data);
	if (rc == -EINVAL)
		err("reply to %s has an unexpected shape; try --json", s->cmd);
	else if (rc != 0)
		err("cannot print %s: %s", s->cmd, strerror(-rc));
	return rc;
}

/* The reply as received, with control bytes other than JSON whitespace masked. */
static int run_raw(struct ctl *c, const char *req)
{
	size_t len;
	int rc = ctl_exchange(c, req, &len);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)c->buf[i];
		bool ctrl = (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') || ch == 0x7f;
		fputc(ctrl ? '?' : ch, stdout);
	}
	fputc('\n', stdout);
	return 0;
}

static bool request_ok(const char *req)
{
	if (req[0] != '/' || strlen(req) > REQUEST_MAX)
		return false;
	for (const char *p = req; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e)
			return false;
	return true;
}

/* Check the words after the options; req->show is NULL for raw. Returns 0 or an exit status. */
static int parse_command(int argc, char **argv, struct show_req *req)
{
	int used = 0;
	*req = (struct show_req){0};
	if (argc < 1)
		return usage_error("missing command (show or raw)");
	if (strcmp(argv[0], "show") == 0) {
		if (argc < 2)
			return usage_error("show what?");
		req->show = find_show(argc - 1, argv + 1, &used);
		if (req->show == NULL)
			return usage_error("unknown show command '%s'", argv[1]);
		return parse_sa_filter(argc - 1 - used, argv + 1 + used, &req->sa);
	}
	if (strcmp(argv[0], "raw") == 0) {
		if (argc != 2)
			return usage_error("raw takes exactly one CMD[,PARAM]");
		if (!request_ok(argv[1]))
			return usage_error("CMD must start with '/' and be at most %d printable "
					   "ASCII bytes",
					   REQUEST_MAX);
		return 0;
	}
	return usage_error("unknown command '%s'", argv[0]);
}

static int run(struct ctl *c, const struct show_req *req, const char *raw)
{
	int rc = ctl_connect(c);
	if (rc == 0)
		rc = ctl_hello(c);
	if (rc == 0)
		rc = req->show != NULL ? run_show(c, req) : run_raw(c, raw);
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (rc == 0)
			err("write error on standard output: %s", strerror(errno));
		rc = -EIO;
	}
	return rc == 0 ? EXIT_SUCCESS : EXIT_RUNTIME;
}

int main(int argc, char **argv)
{
	struct ctl c = {.instance = DEFAULT_INSTANCE, .fd = -1};
	struct show_req req;
	int rc = parse_options(&c, argc, argv);
	if (rc < 0)
		return EXIT_SUCCESS;
	if (rc != 0)
		return rc;
	rc = parse_command(argc - optind, argv + optind, &req);
	if (rc != 0)
		return rc;
	return run(&c, &req, req.show == NULL ? argv[optind + 1] : NULL);
}
