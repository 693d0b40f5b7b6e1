/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/report.c - the run's output: an aligned table on stdout (rows printed as they finish)
 * and the whole run as JSON (schema "vpnhub-bench/1", described in perf/README.md).
 * Main lcore only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "perf/bench.h"

#define COLS_FMT "%-33s %4s %6s %6s %8s %7s %8s %5s %4s %8s %6s"

static bool core_cols; /* the core cycle column is shown */

void report_header(const struct bench *b)
{
	const struct bench_env *e = &b->env;
	const struct bench_opts *o = &b->o;
	printf("vpnhub-bench %s: data-plane paths on one worker lcore\n", VPNHUB_VERSION);
	printf("date     %s  host %s  build %s (%s)\n", e->date, e->host, e->build, e->compiler);
	printf("cpu      %s, %u cores; flags: %s\n", e->cpu, e->cores, e->flags);
	printf("libs     %s; intel-ipsec-mb %s, arch %s\n", e->dpdk, e->imb_version, e->imb_arch);
	printf("clock    TSC %.3f GHz; %s\n", (double)e->tsc_hz / 1e9, e->cycles_note);
	printf("sched    %s; a window is clean when both lcores ran >= %.0f%% of it\n", e->sched,
	       BENCH_CLEAN_SHARE * 100);
	printf("plan     %s: %u x %u ms windows per row after %u ms warm-up, median window "
	       "reported;\n         %u mbufs in flight; %s memory; crypto-only: %s\n",
	       o->quick ? "quick" : "full", o->reps, o->duration_ms / o->reps,
	       (unsigned int)(b->warmup_tsc * 1000 / e->tsc_hz), o->inflight,
	       e->hugepages ? "2 MB hugepage" : "no-hugepage",
	       o->imb_api == BENCH_IMB_BEST    ? "AES-GCM direct calls, others the burst API"
	       : o->imb_api == BENCH_IMB_BURST ? "the burst API"
					       : "the job API");
	core_cols = e->core_cycles;
	printf("\n" COLS_FMT "%s  %s\n", "path", "size", "frame", "scale", "Mpps", "Gbps",
	       "cyc/pkt", "busy", "cpu", "ref Mpps", "ratio", core_cols ? " core/pkt" : "", "note");
	fflush(stdout);
}

static const char *num(char *buf, size_t len, double v, int prec)
{
	if (v < 0)
		return "-";
	snprintf(buf, len, "%.*f", prec, v);
	return buf;
}

void report_row(const struct bench_row *r)
{
	char fr[16], sc[16], mp[16], gb[16], cy[16], bu[16], cp[16], rm[16], ra[16], cc[16];
	char co[24] = "";
	snprintf(sc, sizeof(sc), "%u", r->scale);
	snprintf(bu, sizeof(bu), "%.0f%%", r->busy * 100);
	snprintf(cp, sizeof(cp), "%.0f%%", r->cpu * 100);
	if (core_cols)
		snprintf(co, sizeof(co), " %8s", num(cc, sizeof(cc), r->core_cyc_pkt, 1));
	printf(COLS_FMT "%s  %s%s\n", r->path->name, bench_size_name[r->size],
	       num(fr, sizeof(fr), r->frame_bytes, 1), r->scale ? sc : "-",
	       num(mp, sizeof(mp), r->mpps, 3), num(gb, sizeof(gb), r->gbps, 2),
	       num(cy, sizeof(cy), r->cyc_pkt, 1), bu, cp, num(rm, sizeof(rm), r->ref_mpps, 3),
	       num(ra, sizeof(ra), r->ratio, 3), co, r->ok ? "" : "FAIL: ", r->note);
	fflush(stdout);
}

/*
 * What the SA pairs of the esp rows took from the rte_malloc heap, per pair and suite, beside
 * the sizes that explain it; the replay window is shown apart (its size is configured per SA).
 */
void report_memory(const struct bench *b)
{
	if (b->n_mem == 0)
		return;
	const struct bench_mem *m0 = &b->mem[0];
	printf("\nSA memory: rte_malloc heap growth while a row installed its SA pairs, per pair: "
	       "two SAs (struct sa,\n%u bytes, each followed by its transform sized for the suite "
	       "one way: xform out / in),\nthe inbound SA's replay window, the outbound SA's outer "
	       "header, malloc element headers.\nThe empty SA table took %.1f KiB.\n",
	       m0->sa_bytes, (double)m0->table_bytes / 1024.0);
	printf("%-18s %6s %8s %12s %9s %18s %10s %9s\n", "suite", "pairs", "B/pair", "window bits",
	       "window B", "B/pair w/o window", "xform out", "xform in");
	for (unsigned int i = 0; i < b->n_mem; i++) {
		const struct bench_mem *m = &b->mem[i];
		double per = (double)m->heap_bytes / m->pairs;
		printf("%-18s %6u %8.0f %12u %9u %18.0f %10u %9u\n", m->suite, m->pairs, per,
		       m->window, m->win_bytes, per - m->win_bytes, m->xform_out_bytes,
		       m->xform_in_bytes);
	}
	fflush(stdout);
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* A number, or null where the value does not exist (negative by convention). */
static void jnum(FILE *f, double v)
{
	if (v < 0)
		fputs("null", f);
	else
		fprintf(f, "%.6g", v);
}

static void json_machine(FILE *f, const struct bench *b)
{
	const struct bench_env *e = &b->env;
	fputs("  \"machine\": {\"cpu\": ", f);
	jstr(f, e->cpu);
	fputs(", \"flags\": ", f);
	jstr(f, e->flags);
	fprintf(f, ", \"cores\": %u, \"dpdk\": ", e->cores);
	jstr(f, e->dpdk);
	fputs(", \"ipsec_mb\": ", f);
	jstr(f, e->imb_version);
	fputs(", \"ipsec_mb_arch\": ", f);
	jstr(f, e->imb_arch);
	fputs(",\n    \"date\": ", f);
	jstr(f, e->date);
	fputs(", \"host\": ", f);
	jstr(f, e->host);
	fputs(", \"build\": ", f);
	jstr(f, e->build);
	fputs(", \"compiler\": ", f);
	jstr(f, e->compiler);
	fprintf(f, ", \"tsc_hz\": %lu, \"core_cycles\": %s, \"cycles_note\": ",
		(unsigned long)e->tsc_hz, e->core_cycles ? "true" : "false");
	jstr(f, e->cycles_note);
	fprintf(f, ", \"hugepages\": %s},\n", e->hugepages ? "true" : "false");
}

static void json_plan(FILE *f, const struct bench *b)
{
	const struct bench_opts *o = &b->o;
	fprintf(f, "  \"plan\": {\"quick\": %s, \"duration_ms\": %u, \"reps\": %u, ",
		o->quick ? "true" : "false", o->duration_ms, o->reps);
	fprintf(f, "\"warmup_ms\": %u, \"inflight\": %u, \"imb_api\": \"%s\", \"rt\": %s, ",
		(unsigned int)(b->warmup_tsc * 1000 / b->env.tsc_hz), o->inflight,
		bench_imb_api_name[o->imb_api], o->rt ? "true" : "false");
	fputs("\"sched\": ", f);
	jstr(f, b->env.sched);
	fputs(", \"scales\": [", f);
	for (unsigned int i = 0; i < o->n_scales; i++)
		fprintf(f, "%s%u", i ? ", " : "", o->scales[i]);
	fputs("], \"sa_scales\": [", f);
	for (unsigned int i = 0; i < o->n_sa_scales; i++)
		fprintf(f, "%s%u", i ? ", " : "", o->sa_scales[i]);
	fputs("]},\n", f);
}

static void json_row(FILE *f, const struct bench_row *r)
{
	fputs("    {\"path\": ", f);
	jstr(f, r->path->name);
	fprintf(f, ", \"size\": \"%s\", \"frame_bytes\": %.1f, \"l3_bytes\": %.1f, \"scale\": ",
		bench_size_name[r->size], r->frame_bytes, r->l3_bytes);
	if (r->scale)
		fprintf(f, "%u", r->scale);
	else
		fputs("null", f);
	fputs(", \"mpps\": ", f);
	jnum(f, r->mpps);
	fputs(", \"gbps\": ", f);
	jnum(f, r->gbps);
	fputs(", \"cycles_per_pkt\": ", f);
	jnum(f, r->cyc_pkt);
	fputs(", \"core_cycles_per_pkt\": ", f);
	jnum(f, r->core_cyc_pkt);
	fputs(", \"core_tsc_ratio\": ", f);
	jnum(f, r->core_tsc);
	fputs(", \"busy\": ", f);
	jnum(f, r->busy);
	fputs(", \"cpu\": ", f);
	jnum(f, r->cpu);
	fputs(", \"gen_cycles_per_pkt\": ", f);
	jnum(f, r->gen_cyc_pkt);
	fputs(",\n     \"ref\": ", f);
	if (r->path->ref != NULL)
		jstr(f, r->path->ref);
	else
		fputs("null", f);
	fputs(", \"ref_mpps\": ", f);
	jnum(f, r->ref_mpps);
	fputs(", \"ratio\": ", f);
	jnum(f, r->ratio);
	fprintf(f, ", \"pkts\": %lu, \"drops\": %lu, \"punts\": %lu, \"ctl_queue\": %lu, ",
		(unsigned long)r->pkts, (unsigned long)r->drops, (unsigned long)r->punts,
		(unsigned long)r->ctlq);
	fprintf(f, "\"errors\": %lu, \"ok\": %s, \"note\": ", (unsigned long)r->errors,
		r->ok ? "true" : "false");
	jstr(f, r->note);
	fputc('}', f);
}

int report_json(const struct bench *b, const char *path)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -errno;
	fprintf(f, "{\n  \"schema\": \"vpnhub-bench/1\",\n  \"version\": \"%s\",\n",
		VPNHUB_VERSION);
	json_machine(f, b);
	json_plan(f, b);
	fputs("  \"rows\": [\n", f);
	for (unsigned int i = 0; i < b->n_rows; i++) {
		json_row(f, &b->rows[i]);
		fputs(i + 1 < b->n_rows ? ",\n" : "\n", f);
	}
	fputs("  ],\n  \"sa_memory\": [", f);
	for (unsigned int i = 0; i < b->n_mem; i++) {
		const struct bench_mem *m = &b->mem[i];
		fprintf(f, "%s\n    {\"suite\": ", i ? "," : "");
		jstr(f, m->suite);
		fprintf(f,
			", \"pairs\": %u, \"heap_bytes\": %lu, \"window\": %u, "
			"\"window_bytes\": %u, \"sizeof_sa\": %u, \"xform_out_bytes\": %u, "
			"\"xform_in_bytes\": %u, \"sa_table_bytes\": %lu}",
			m->pairs, (unsigned long)m->heap_bytes, m->window, m->win_bytes,
			m->sa_bytes, m->xform_out_bytes, m->xform_in_bytes,
			(unsigned long)m->table_bytes);
	}
	fputs(b->n_mem ? "\n  ]\n}\n" : "]\n}\n", f);
	return fclose(f) == 0 ? 0 : -errno;
}
