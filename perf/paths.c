/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/paths.c - the table of paths, path selection, and the order rows are measured in.
 *
 * To add a path, add a line to bench_paths with its setup, run and teardown functions and the
 * name of its reference path (esp-encrypt:aes128gcm16 has crypto-only:aes128gcm16:enc).
 * Order: unscaled paths first, then for each scale (growing the tables), for each reference
 * path, for each size: the reference row, then at once the rows that use it (an sa_scaled path:
 * one per SA scale), so a row and its reference see the same machine conditions. A reference
 * path has no reference of its own in the same group.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "perf/bench.h"
#include "perf/crypto.h"

#define PATHS_MAX 64

const char *const bench_size_name[SIZE_N] = {"64", "1420", "imix"};
const uint16_t bench_imix[BENCH_IMIX_LEN] = {64, 570, 64, 64, 1518, 64, 570, 64, 64, 570, 64, 570};
static const uint16_t frame64[1] = {64};
static const uint16_t frame1420[1] = {1420};

unsigned int bench_size_frames(enum bench_size s, const uint16_t **frames)
{
	switch (s) {
	case SIZE_64:
		*frames = frame64;
		return 1;
	case SIZE_1420:
		*frames = frame1420;
		return 1;
	default:
		*frames = bench_imix;
		return BENCH_IMIX_LEN;
	}
}

static const struct fwd_arg ceil4 = {AF_INET, true};
static const struct fwd_arg ceil6 = {AF_INET6, true};
static const struct fwd_arg fwd4 = {AF_INET, false};
static const struct fwd_arg fwd6 = {AF_INET6, false};

static const struct esp_arg esp_args[][2] = {
	{{&crypto_suites[0], false, false}, {&crypto_suites[0], true, false}},
	{{&crypto_suites[1], false, false}, {&crypto_suites[1], true, false}},
	{{&crypto_suites[2], false, false}, {&crypto_suites[2], true, false}},
	{{&crypto_suites[3], false, false}, {&crypto_suites[3], true, false}},
	{{&crypto_suites[4], false, false}, {&crypto_suites[4], true, false}},
};
static const struct esp_arg esp_udp_args[2] = {{&crypto_suites[0], false, true},
					       {&crypto_suites[0], true, true}};

static const struct crypto_arg crypto_args[][2] = {
	{{&crypto_suites[0], false}, {&crypto_suites[0], true}},
	{{&crypto_suites[1], false}, {&crypto_suites[1], true}},
	{{&crypto_suites[2], false}, {&crypto_suites[2], true}},
	{{&crypto_suites[3], false}, {&crypto_suites[3], true}},
	{{&crypto_suites[4], false}, {&crypto_suites[4], true}},
};

#define FWD(name, ref, arg)                                                      \
	{                                                                        \
		name, ref, true, fwd_setup, fwd_run, fwd_teardown, arg, false, 0 \
	}
#define CRYPTO(suite, dir, i, d)                                                     \
	{                                                                            \
		"crypto-only:" suite ":" dir, NULL, false, crypto_setup, crypto_run, \
			crypto_teardown, &crypto_args[i][d], false, 0                \
	}

/* --quick keeps 64 and 1420 of aes128gcm16 and aes128-sha1 (and of NAT-T encryption) */
#define QUICK_SMALL (1u << SIZE_IMIX)
#define QUICK_NONE  ((1u << SIZE_N) - 1)
#define ESP(dir, suite, ref_dir, esp_arg, skip)                                               \
	{                                                                                     \
		.name = "esp-" dir ":" suite, .ref = "crypto-only:" suite ":" ref_dir,        \
		.setup = esp_setup, .run = esp_run, .teardown = esp_teardown, .arg = esp_arg, \
		.sa_scaled = true, .quick_skip = skip                                         \
	}

const struct bench_path bench_paths[] = {
	FWD("gen-ceiling:ipv4", NULL, &ceil4),
	FWD("ipv4-fwd", "gen-ceiling:ipv4", &fwd4),
	FWD("gen-ceiling:ipv6", NULL, &ceil6),
	FWD("ipv6-fwd", "gen-ceiling:ipv6", &fwd6),
	CRYPTO("aes128gcm16", "enc", 0, 0),
	CRYPTO("aes128gcm16", "dec", 0, 1),
	CRYPTO("aes256gcm16", "enc", 1, 0),
	CRYPTO("aes256gcm16", "dec", 1, 1),
	CRYPTO("aes128-sha1", "enc", 2, 0),
	CRYPTO("aes128-sha1", "dec", 2, 1),
	CRYPTO("aes256-sha256", "enc", 3, 0),
	CRYPTO("aes256-sha256", "dec", 3, 1),
	CRYPTO("chacha20poly1305", "enc", 4, 0),
	CRYPTO("chacha20poly1305", "dec", 4, 1),
	ESP("encrypt", "aes128gcm16", "enc", &esp_args[0][0], QUICK_SMALL),
	ESP("decrypt", "aes128gcm16", "dec", &esp_args[0][1], QUICK_SMALL),
	ESP("udp-encrypt", "aes128gcm16", "enc", &esp_udp_args[0], QUICK_SMALL),
	ESP("udp-decrypt", "aes128gcm16", "dec", &esp_udp_args[1], QUICK_NONE),
	ESP("encrypt", "aes256gcm16", "enc", &esp_args[1][0], QUICK_NONE),
	ESP("decrypt", "aes256gcm16", "dec", &esp_args[1][1], QUICK_NONE),
	ESP("encrypt", "aes128-sha1", "enc", &esp_args[2][0], QUICK_SMALL),
	ESP("decrypt", "aes128-sha1", "dec", &esp_args[2][1], QUICK_SMALL),
	ESP("encrypt", "aes256-sha256", "enc", &esp_args[3][0], QUICK_NONE),
	ESP("decrypt", "aes256-sha256", "dec", &esp_args[3][1], QUICK_NONE),
	ESP("encrypt", "chacha20poly1305", "enc", &esp_args[4][0], QUICK_NONE),
	ESP("decrypt", "chacha20poly1305", "dec", &esp_args[4][1], QUICK_NONE),
};
const unsigned int bench_n_paths = RTE_DIM(bench_paths);
_Static_assert(RTE_DIM(bench_paths) <= PATHS_MAX, "raise PATHS_MAX");

/* "gen-ceiling" selects gen-ceiling:ipv4 and gen-ceiling:ipv6; a full name selects one path. */
static bool matches(const char *filter, const char *name)
{
	size_t n = strlen(filter);
	return strncmp(filter, name, n) == 0 && (name[n] == '\0' || name[n] == ':');
}

bool bench_selected(const struct bench_opts *o, const char *name)
{
	if (o->n_filters == 0)
		return true;
	for (unsigned int i = 0; i < o->n_filters; i++)
		if (matches(o->filters[i], name))
			return true;
	return false;
}

bool bench_filters_valid(const struct bench_opts *o, const char **bad)
{
	for (unsigned int f = 0; f < o->n_filters; f++) {
		bool any = false;
		for (unsigned int i = 0; i < bench_n_paths && !any; i++)
			any = matches(o->filters[f], bench_paths[i].name);
		if (!any) {
			*bad = o->filters[f];
			return false;
		}
	}
	return true;
}

static const struct bench_path *path_by_name(const char *name)
{
	for (unsigned int i = 0; name != NULL && i < bench_n_paths; i++)
		if (strcmp(bench_paths[i].name, name) == 0)
			return &bench_paths[i];
	return NULL;
}

/* Selected, or the reference of a selected path. */
bool bench_needed(const struct bench_opts *o, const struct bench_path *p)
{
	if (bench_selected(o, p->name))
		return true;
	for (unsigned int i = 0; i < bench_n_paths; i++)
		if (bench_paths[i].ref != NULL && strcmp(bench_paths[i].ref, p->name) == 0 &&
		    bench_selected(o, bench_paths[i].name))
			return true;
	return false;
}

static const struct bench_row *ref_row(const struct bench *b, const struct bench_row *row)
{
	const struct bench_path *rp = path_by_name(row->path->ref);
	for (unsigned int i = b->n_rows; rp != NULL && i-- > 0;) {
		const struct bench_row *r = &b->rows[i];
		if (r->path == rp && r->size == row->size &&
		    (!rp->scaled || r->scale == row->scale))
			return r;
	}
	return NULL;
}

bool bench_planned(const struct bench_opts *o, const struct bench_path *p, enum bench_size s)
{
	return !o->quick || o->n_filters > 0 || !(p->quick_skip & (1u << s));
}

unsigned int bench_path_rows(const struct bench_opts *o, const struct bench_path *p)
{
	unsigned int sizes = 0;
	for (unsigned int s = 0; s < SIZE_N; s++)
		sizes += bench_planned(o, p, (enum bench_size)s);
	return sizes * (p->scaled ? o->n_scales : p->sa_scaled ? o->n_sa_scales : 1);
}

static void run_row(struct bench *b, const struct bench_path *p, void *state, enum bench_size size,
		    uint32_t scale)
{
	if (b->n_rows == BENCH_ROWS_MAX || bench_quit)
		return;
	struct bench_row *row = &b->rows[b->n_rows++];
	memset(row, 0, sizeof(*row));
	row->path = p;
	row->size = size;
	row->scale = scale;
	row->ref_mpps = -1;
	row->ratio = -1;
	row->core_cyc_pkt = -1;
	row->core_tsc = -1;
	int rc = state != NULL ? p->run(b, state, row) : -ENOMEM;
	if (rc != 0) {
		row->errors++;
		if (row->note[0] == '\0')
			snprintf(row->note, sizeof(row->note), "%s",
				 state ? strerror(-rc) : "set-up failed");
	}
	const struct bench_row *ref = ref_row(b, row);
	if (ref != NULL && ref->mpps > 0) {
		row->ref_mpps = ref->mpps;
		row->ratio = row->mpps / ref->mpps;
	}
	bench_row_check(row);
	report_row(row);
}

/* The rows of p at one size: one, or one per SA scale. */
static void run_rows(struct bench *b, const struct bench_path *p, void *state, enum bench_size size)
{
	if (!bench_planned(&b->o, p, size))
		return;
	if (!p->sa_scaled) {
		run_row(b, p, state, size, p->scaled ? b->scale : 0);
		return;
	}
	for (unsigned int k = 0; k < b->o.n_sa_scales; k++)
		run_row(b, p, state, size, b->o.sa_scales[k]);
}

/* In this group, p is measured as a reference or on its own (its reference is elsewhere). */
static bool is_root(const struct bench_path *p, bool scaled)
{
	const struct bench_path *rp = path_by_name(p->ref);
	return rp == NULL || rp->scaled != scaled;
}

static void run_group(struct bench *b, bool scaled)
{
	void *state[PATHS_MAX] = {0};
	bool in[PATHS_MAX] = {0};
	for (unsigned int i = 0; i < bench_n_paths; i++) {
		const struct bench_path *p = &bench_paths[i];
		in[i] = p->scaled == scaled && bench_needed(&b->o, p) &&
			bench_path_rows(&b->o, p) > 0;
		if (in[i] && p->setup(b, p, &state[i]) != 0)
			state[i] = NULL;
	}
	for (unsigned int i = 0; i < bench_n_paths; i++) {
		if (!in[i] || !is_root(&bench_paths[i], scaled))
			continue;
		for (unsigned int s = 0; s < SIZE_N; s++) {
			run_rows(b, &bench_paths[i], state[i], (enum bench_size)s);
			for (unsigned int j = 0; j < bench_n_paths; j++)
				if (in[j] && j != i && bench_paths[j].ref != NULL &&
				    strcmp(bench_paths[j].ref, bench_paths[i].name) == 0)
					run_rows(b, &bench_paths[j], state[j], (enum bench_size)s);
		}
	}
	for (unsigned int i = 0; i < bench_n_paths; i++)
		if (in[i] && state[i] != NULL)
			bench_paths[i].teardown(b, state[i]);
}

bool bench_any_scaled(const struct bench_opts *o)
{
	for (unsigned int i = 0; i < bench_n_paths; i++)
		if (bench_paths[i].scaled && bench_needed(o, &bench_paths[i]))
			return true;
	return false;
}

bool bench_needs_rig(const struct bench_opts *o)
{
	for (unsigned int i = 0; i < bench_n_paths; i++)
		if (bench_paths[i].sa_scaled && bench_needed(o, &bench_paths[i]) &&
		    bench_path_rows(o, &bench_paths[i]) > 0)
			return true;
	return bench_any_scaled(o);
}

int bench_run_all(struct bench *b)
{
	char err[128] = "";
	run_group(b, false);
	if (!bench_any_scaled(&b->o))
		return 0;
	for (unsigned int i = 0; i < b->o.n_scales && !bench_quit; i++) {
		int rc = rig_grow(&b->rig, b->o.scales[i], err, sizeof(err));
		if (rc != 0) {
			fprintf(stderr, "vpnhub-bench: %s\n", err);
			return rc;
		}
		b->scale = b->o.scales[i];
		run_group(b, true);
	}
	return 0;
}
