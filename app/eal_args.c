/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/eal_args.c - EAL command line from the config (see eal_args.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "app/eal_args.h"

/* Append one formatted argument; -E2BIG when argv or the buffer is full. */
static int push(struct eal_args *a, const char *fmt, ...)
{
	va_list ap;
	if (a->argc >= EAL_ARGS_MAX || a->used >= sizeof(a->buf))
		return -E2BIG;
	va_start(ap, fmt);
	int n = vsnprintf(a->buf + a->used, sizeof(a->buf) - a->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(a->buf) - a->used)
		return -E2BIG;
	a->argv[a->argc++] = a->buf + a->used;
	a->argv[a->argc] = NULL;
	a->used += (size_t)n + 1;
	return 0;
}

/* "--lcores 0@0,1@1": lcore ids beyond the CPUs are pinned to (id mod ncpu), and flagged. */
static int lcores(struct eal_args *a, const struct cfg_system *s, unsigned int ncpu)
{
	char list[1024];
	size_t off = 0;
	unsigned int ids[CFG_WORKERS_MAX + 1];
	unsigned int n = 0;
	ids[n++] = s->control_core;
	for (unsigned int i = 0; i < s->n_workers; i++)
		ids[n++] = s->worker_cores[i];
	for (unsigned int i = 0; i < n; i++) {
		unsigned int cpu = ncpu ? ids[i] % ncpu : ids[i];
		a->oversubscribed |= cpu != ids[i];
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%u@%u", i ? "," : "",
					ids[i], cpu);
		if (off >= sizeof(list))
			return -E2BIG;
	}
	int rc = push(a, "--lcores");
	return rc ? rc : push(a, "%s", list);
}

void eal_port_devname(const struct cfg_iface *ifc, char *out, size_t len)
{
	if (ifc->is_pci) {
		unsigned int dom = 0, bus = 0, dev = 0, fn = 0;
		if (sscanf(ifc->port, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4) {
			dom = 0;
			if (sscanf(ifc->port, "%x:%x.%x", &bus, &dev, &fn) != 3)
				bus = dev = fn = 0;
		}
		snprintf(out, len, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
		return;
	}
	size_t n = strcspn(ifc->port, ",");
	snprintf(out, len, "%.*s", (int)n, ifc->port);
}

static bool is_vdev_of(const struct cfg_iface *ifc, const char *driver)
{
	return !ifc->is_pci && strncmp(ifc->port, driver, strlen(driver)) == 0;
}

static bool is_af_packet(const struct cfg_iface *ifc)
{
	return is_vdev_of(ifc, "net_af_packet");
}

/*
 * PMDs whose queues come in pairs: af_packet (qpairs, and the kernel feeds every socket), and
 * net_tap / net_tun / net_af_xdp, whose dev_configure refuses unequal RX and TX counts.
 */
static bool queues_paired(const struct cfg_iface *ifc)
{
	return is_af_packet(ifc) || is_vdev_of(ifc, "net_tap") || is_vdev_of(ifc, "net_tun") ||
	       is_vdev_of(ifc, "net_af_xdp");
}

void eal_port_queues(const struct config *cfg, const struct cfg_iface *ifc, unsigned int *rx,
		     unsigned int *tx)
{
	*tx = ifc->tx_queues ? ifc->tx_queues : cfg->sys.n_workers + 1;
	*rx = ifc->rx_queues ? ifc->rx_queues : cfg->sys.n_workers;
	if (queues_paired(ifc))
		*rx = *tx;
}

/* af_packet serves one queue pair unless told otherwise. */
static int vdev(struct eal_args *a, const struct cfg_iface *ifc, unsigned int queues)
{
	int rc = push(a, "--vdev");
	if (rc != 0)
		return rc;
	if (is_af_packet(ifc) && strstr(ifc->port, "qpairs=") == NULL)
		return push(a, "%s,qpairs=%u", ifc->port, queues);
	return push(a, "%s", ifc->port);
}

static int ports(struct eal_args *a, const struct config *cfg)
{
	int rc = 0;
	bool pci = false;
	for (unsigned int i = 0; i < cfg->n_ifaces && rc == 0; i++) {
		const struct cfg_iface *ifc = &cfg->ifaces[i];
		char name[64];
		unsigned int rxq, txq;
		eal_port_queues(cfg, ifc, &rxq, &txq);
		if (!ifc->is_pci) {
			rc = vdev(a, ifc, txq);
			continue;
		}
		pci = true;
		eal_port_devname(ifc, name, sizeof(name));
		rc = push(a, "-a");
		if (rc == 0)
			rc = push(a, "%s", name);
	}
	if (rc == 0 && !pci)
		rc = push(a, "--no-pci");
	return rc;
}

int eal_args_build(const struct config *cfg, const char *prog, int n_extra, char *const *extra,
		   bool huge, unsigned int ncpu, struct eal_args *a, char *err, size_t errlen)
{
	const struct cfg_system *s = &cfg->sys;
	memset(a, 0, sizeof(*a));
	int rc = push(a, "%s", prog);
	if (rc == 0)
		rc = lcores(a, s, ncpu);
	if (rc == 0)
		rc = push(a, "--main-lcore=%u", s->control_core);
	if (rc == 0)
		rc = push(a, "--file-prefix=%s", s->name);
	/* hugepages come from memfd (no hugetlbfs mount needed); without them, anonymous memory
	 * and no shared runtime files (EAL refuses --in-memory with --no-huge) */
	if (rc == 0)
		rc = push(a, huge ? "--in-memory" : "--no-huge");
	if (rc == 0 && !huge)
		rc = push(a, "--no-shconf");
	if (rc == 0)
		rc = push(a, "-m");
	if (rc == 0)
		rc = push(a, "%u", s->memory_mb);
	if (rc == 0)
		rc = push(a, "--log-level=%u", s->log_level);
	if (rc == 0 && !s->telemetry)
		rc = push(a, "--no-telemetry");
	if (rc == 0)
		rc = ports(a, cfg);
	for (int i = 0; i < n_extra && rc == 0; i++)
		rc = push(a, "%s", extra[i]);
	if (rc != 0)
		snprintf(err, errlen, "EAL command line too long");
	return rc;
}

unsigned int eal_hugepages_free_mb(void)
{
	unsigned int pages = 0;
	FILE *f = fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "r");
	if (f == NULL)
		return 0;
	if (fscanf(f, "%u", &pages) != 1)
		pages = 0;
	fclose(f);
	return pages * 2;
}

bool eal_use_hugepages(const struct config *cfg, unsigned int free_mb)
{
	switch (cfg->sys.hugepages) {
	case CFG_HUGE_ON:
		return true;
	case CFG_HUGE_OFF:
		return false;
	default:
		return free_mb >= cfg->sys.memory_mb;
	}
}
