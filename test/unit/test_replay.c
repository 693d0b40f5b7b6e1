/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_replay.c - the "replay" suite: dataplane/replay.{h,c}.
 *
 * Cases: scripts of check/update steps against one window, each with the expected result and
 * the expected full (inferred) sequence number, worked out by hand from RFC 4303 section 3.4.3
 * (window: top - W + 1 .. top; update only after the ICV verified) and Appendix A2.2 (ESN
 * inference, case A: Tl >= W - 1, case B: Tl < W - 1), section 3.3.3 (0 is never sent, the
 * counter never cycles).
 * Random: bursts of packets fed to the window and to a reference model that keeps every number
 * ever marked in a hash set and infers ESN numbers as "the one number with this low half among
 * the 2^32 starting at the window's left edge" (the same set as A2.2's two cases, stated without
 * them); the two must agree on every result and every inferred number.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "dataplane/replay.h"
#include "tests.h"

/* *seq is preset to this; a result other than 0 or -EEXIST must leave it there */
#define UNTOUCHED UINT64_C(0x5a5a5a5a5a5a5a5a)

enum op {
	END,
	CHK, /* replay_check(v as seq_lo): want rc, and seq (UNTOUCHED when rc is an error) */
	UPD, /* replay_update(v as the full number): want rc */
	ACC, /* a packet accepted and verified: CHK v wanting 0 and seq, then UPD seq wanting 0 */
};

struct step {
	enum op op;
	uint64_t v;
	int rc;
	uint64_t seq;
};

struct rcase {
	const char *name;
	uint32_t size;
	bool esn;
	struct step st[10];
};

#define H(hi, lo) ((UINT64_C(hi) << 32) | UINT64_C(lo))
/* the fields of a step: {OK(v)} is a check of v wanting 0 and v */
#define OK(v)  CHK, v, 0, v
#define DUP(v) CHK, v, -EEXIST, v
#define OLD(v) CHK, v, -ERANGE, UNTOUCHED
#define BAD(v) CHK, v, -EINVAL, UNTOUCHED
#define A(v)   ACC, v, 0, v

/* Expected values: section 3.4.3 unless the comment names another source. */
static const struct rcase cases[] = {
	/* 3.3.3: the first packet carries 1; an empty window accepts it once */
	{"first packet", 64, false, {{OK(1)}, {UPD, 1, 0, 0}, {DUP(1)}, {OK(2)}}},
	/* 3.3.3: 0 is never sent without ESN, neither before nor after traffic */
	{"seq 0 without ESN",
	 64,
	 false,
	 {{BAD(0)}, {A(1)}, {BAD(0)}, {UPD, 0, -EINVAL, 0}, {DUP(1)}}},
	{"in order", 128, false, {{A(1)}, {A(2)}, {A(3)}, {A(4)}, {DUP(3)}, {OK(5)}}},
	{"duplicate of the top", 1024, false, {{A(10)}, {DUP(10)}, {OK(9)}}},
	{"duplicate inside the window",
	 1024,
	 false,
	 {{A(5)}, {A(7)}, {A(100)}, {DUP(7)}, {OK(6)}, {DUP(5)}}},
	/* window top - W + 1 .. top: T - W + 1 is the last number in, T - W the first out */
	{"left edge W 64", 64, false, {{UPD, 100, 0, 0}, {OK(37)}, {OLD(36)}, {A(37)}, {DUP(37)}}},
	{"left edge W 128",
	 128,
	 false,
	 {{UPD, 1000, 0, 0}, {OK(873)}, {OLD(872)}, {A(873)}, {DUP(873)}}},
	{"left edge W 1024",
	 1024,
	 false,
	 {{UPD, 5000, 0, 0}, {OK(3977)}, {OLD(3976)}, {A(3977)}, {DUP(3977)}}},
	{"left edge W 4096",
	 4096,
	 false,
	 {{UPD, 10000, 0, 0}, {OK(5905)}, {OLD(5904)}, {A(5905)}, {DUP(5905)}}},
	{"top below W: all from 1 inside",
	 1024,
	 false,
	 {{A(3)}, {OK(1)}, {OK(2)}, {A(1)}, {DUP(1)}}},
	/* 3.4.3: a packet whose ICV fails (check only, no update) leaves no trace */
	{"ICV failure inside the window", 64, false, {{A(1)}, {OK(2)}, {OK(2)}, {A(2)}, {DUP(2)}}},
	{"ICV failure far ahead", 64, false, {{A(10)}, {OK(1000)}, {DUP(10)}, {OK(9)}}},
	{"far ahead then old",
	 64,
	 false,
	 {{A(1)}, {A(2)}, {A(3)}, {A(1000)}, {OLD(3)}, {OLD(936)}, {OK(937)}, {OK(999)}}},
	{"far ahead W 4096",
	 4096,
	 false,
	 {{A(1)}, {A(100000)}, {OLD(1)}, {OLD(95904)}, {OK(95905)}}},
	/* a slide by exactly W clears the whole map; by W - 1 keeps the old top at the edge */
	{"jump by W", 128, false, {{A(1)}, {A(129)}, {OLD(1)}, {OK(2)}, {DUP(129)}}},
	{"jump by W - 1", 128, false, {{A(1)}, {A(128)}, {DUP(1)}, {OK(2)}}},
	/* 67 and 3 share bit 3; sliding 60 -> 70 must clear it (3 left the window 7..70) */
	{"partial slide clears stale bits",
	 64,
	 false,
	 {{A(3)}, {A(60)}, {A(70)}, {OK(67)}, {DUP(60)}, {OLD(6)}, {OK(7)}}},
	/* 65 and 1 share bit 1; sliding 64 -> 66 clears it although only 66 is marked */
	{"gap after the top is cleared",
	 64,
	 false,
	 {{A(1)}, {A(64)}, {A(66)}, {OK(65)}, {OLD(2)}, {OK(3)}}},
	/* 10245 and 5 share bit 5; the jump to 10250 clears all */
	{"long jump clears stale bits",
	 1024,
	 false,
	 {{A(5)}, {A(10250)}, {OK(10245)}, {OLD(9226)}, {OK(9227)}}},
	/* the slide 120 -> 130 clears bits 121..127 and 0..2, across the end of the ring */
	{"slide across the ring's end",
	 128,
	 false,
	 {{A(1)}, {A(2)}, {A(120)}, {A(130)}, {OK(129)}, {DUP(130)}, {OLD(2)}, {DUP(120)}}},
	/* 3.3.3: without ESN the largest number is 2^32 - 1; nothing may overflow there */
	{"0xffffffff without ESN",
	 64,
	 false,
	 {{A(1)},
	  {A(0xffffffff)},
	  {DUP(0xffffffff)},
	  {OLD(1)},
	  {OK(0xffffffc0)},
	  {OLD(0xffffffbf)}}},
	{"first packet 0xffffffff",
	 4096,
	 false,
	 {{A(0xffffffff)}, {OK(0xfffff000)}, {OLD(0xffffefff)}, {BAD(0)}}},
	/* a burst checks before it updates: the second copy is caught by the update */
	{"two copies in one burst",
	 1024,
	 false,
	 {{OK(7)}, {OK(7)}, {UPD, 7, 0, 0}, {UPD, 7, -EEXIST, 0}, {DUP(7)}}},
	{"slid out during the burst",
	 64,
	 false,
	 {{A(1)}, {OK(2)}, {OK(500)}, {UPD, 500, 0, 0}, {UPD, 2, -ERANGE, 0}, {OK(437)}}},
	{"burst updated out of order",
	 128,
	 false,
	 {{OK(5)}, {OK(3)}, {UPD, 5, 0, 0}, {UPD, 3, 0, 0}, {DUP(3)}, {OK(4)}}},

	/* ESN, A2.2. Empty window: top 0, Th 0, Tl 0 < W - 1 (case B), Bl = 1 - W mod 2^32 */
	{"ESN first packets", 128, true, {{BAD(0)}, {A(1)}, {A(2)}, {DUP(1)}, {OK(3)}}},
	/* case B with Th 0: lo >= Bl would be in subspace -1, before the first packet */
	{"ESN empty window, lo >= Bl",
	 64,
	 true,
	 {{OLD(0xffffffc1)}, {OK(0xffffffc0)}, {OLD(0xffffffff)}}},
	{"ESN top 5, lo >= Bl",
	 64,
	 true,
	 {{A(5)}, {OLD(0xfffffff0)}, {OLD(0xffffffc6)}, {OK(0xffffffc5)}}},
	/* case A: Tl 0xfffffff0 >= 63, Bl 0xffffffb1; lo < Bl -> Th + 1 */
	{"ESN case A, next subspace",
	 64,
	 true,
	 {{UPD, H(1, 0xfffffff0), 0, 0},
	  {CHK, 5, 0, H(2, 5)},
	  {ACC, 5, 0, H(2, 5)},
	  {CHK, 0xfffffff0, -EEXIST, H(1, 0xfffffff0)}}},
	{"ESN case A, around Bl",
	 64,
	 true,
	 {{UPD, H(1, 0xfffffff0), 0, 0},
	  {CHK, 0xffffffb1, 0, H(1, 0xffffffb1)},
	  {CHK, 0xffffffb0, 0, H(2, 0xffffffb0)},
	  {CHK, 0xfffffff5, 0, H(1, 0xfffffff5)},
	  {CHK, 0xfffffff0, -EEXIST, H(1, 0xfffffff0)}}},
	/* case B: Tl 0x10 < 63, Bl 0xffffffd1; lo >= Bl -> Th - 1, lo < Bl -> Th (even ahead) */
	{"ESN case B",
	 64,
	 true,
	 {{UPD, H(2, 0x10), 0, 0},
	  {CHK, 0xfffffff8, 0, H(1, 0xfffffff8)},
	  {CHK, 0xffffffd1, 0, H(1, 0xffffffd1)},
	  {CHK, 0xffffffd0, 0, H(2, 0xffffffd0)},
	  {CHK, 8, 0, H(2, 8)},
	  {CHK, 0x10, -EEXIST, H(2, 0x10)},
	  {CHK, 0x11, 0, H(2, 0x11)}}},
	/* Tl = W - 1 is still case A, with Bl 0: every lo is in subspace Th */
	{"ESN Tl = W - 1",
	 64,
	 true,
	 {{UPD, H(1, 0x3f), 0, 0},
	  {CHK, 0, 0, H(1, 0)},
	  {CHK, 0xffffffff, 0, H(1, 0xffffffff)},
	  {CHK, 0x3f, -EEXIST, H(1, 0x3f)}}},
	/* Tl = W - 2 is case B, Bl 0xffffffff: only lo 0xffffffff is in Th - 1 */
	{"ESN Tl = W - 2",
	 64,
	 true,
	 {{UPD, H(1, 0x3e), 0, 0},
	  {CHK, 0xffffffff, 0, 0xffffffff},
	  {CHK, 0xfffffffe, 0, H(1, 0xfffffffe)},
	  {CHK, 0, 0, H(1, 0)}}},
	/* A then B: 0x20 < Bl 0xffffff71 is Th + 1; then Tl 0x20, Bl 0xffffffa1 */
	{"ESN case A then case B",
	 128,
	 true,
	 {{UPD, H(1, 0xfffffff0), 0, 0},
	  {ACC, 0x20, 0, H(2, 0x20)},
	  {CHK, 0xfffffff0, -EEXIST, H(1, 0xfffffff0)},
	  {CHK, 0xffffffa1, 0, H(1, 0xffffffa1)},
	  {CHK, 0xffffffa0, 0, H(2, 0xffffffa0)}}},
	/* the 2^32 crossing: 0 after 0xffffffff is 2^32, not the invalid 0 */
	{"ESN 2^32 crossing",
	 1024,
	 true,
	 {{UPD, 0xffffffff, 0, 0},
	  {CHK, 0, 0, H(1, 0)},
	  {ACC, 0, 0, H(1, 0)},
	  {CHK, 0xffffffff, -EEXIST, 0xffffffff},
	  {CHK, 1, 0, H(1, 1)}}},
	{"ESN in order across 2^32",
	 64,
	 true,
	 {{UPD, 0xfffffffd, 0, 0},
	  {A(0xfffffffe)},
	  {A(0xffffffff)},
	  {ACC, 0, 0, H(1, 0)},
	  {ACC, 1, 0, H(1, 1)},
	  {CHK, 0, -EEXIST, H(1, 0)},
	  {DUP(0xfffffffe)}}},
	/* 0x1_00000005 and 0x2_00000005 share bit 5; the jump between them clears it */
	{"ESN stale bit of an older subspace",
	 64,
	 true,
	 {{UPD, H(1, 5), 0, 0},
	  {UPD, H(2, 0x10), 0, 0},
	  {CHK, 5, 0, H(2, 5)},
	  {CHK, 0x10, -EEXIST, H(2, 0x10)}}},
	/* a slide of 0x200 < W across 2^32 keeps 0xffffff00; Tl 0x100, Bl 0xfffff101 */
	{"ESN partial slide across 2^32",
	 4096,
	 true,
	 {{UPD, 0xffffff00, 0, 0},
	  {UPD, H(1, 0x100), 0, 0},
	  {CHK, 0xffffff00, -EEXIST, 0xffffff00},
	  {CHK, 0, 0, H(1, 0)},
	  {CHK, 0xfffff101, 0, 0xfffff101},
	  {CHK, 0xfffff100, 0, H(1, 0xfffff100)}}},
	{"ESN jump over subspaces",
	 1024,
	 true,
	 {{A(1)}, {UPD, H(5, 0x10), 0, 0}, {CHK, 1, 0, H(5, 1)}, {CHK, 0x10, -EEXIST, H(5, 0x10)}}},
	/* 3.3.3: nothing past 2^64 - 1; case A with Th 0xffffffff and lo < Bl has no Th + 1 */
	{"ESN end of the 64-bit space",
	 64,
	 true,
	 {{UPD, H(0xffffffff, 0xffffff00), 0, 0},
	  {BAD(5)},
	  {CHK, 0xffffffff, 0, UINT64_MAX},
	  {ACC, 0xffffffff, 0, UINT64_MAX},
	  {CHK, 0xffffffff, -EEXIST, UINT64_MAX},
	  {CHK, 0xffffffc0, 0, H(0xffffffff, 0xffffffc0)},
	  {BAD(0xffffffbf)}}},
	{"ESN ICV failure keeps the subspace",
	 64,
	 true,
	 {{UPD, H(1, 0xfffffff0), 0, 0},
	  {CHK, 5, 0, H(2, 5)},
	  {CHK, 0xfffffff1, 0, H(1, 0xfffffff1)},
	  {CHK, 0xfffffff0, -EEXIST, H(1, 0xfffffff0)}}},
};

static struct replay_win *win_new(uint32_t size)
{
	struct replay_win *w = malloc(replay_size(size));

	if (w != NULL && replay_init(w, size) != 0) {
		free(w);
		return NULL;
	}
	return w;
}

static const char *op_name(enum op op)
{
	return op == CHK ? "check" : op == UPD ? "update" : "accept";
}

static bool run_step(struct replay_win *w, bool esn, const struct step *s, const char *name,
		     unsigned int i)
{
	uint64_t seq = UNTOUCHED;
	int rc = 0, rc2 = 0;
	bool ok;

	if (s->op == UPD) {
		rc = replay_update(w, s->v);
		ok = rc == s->rc;
	} else {
		rc = replay_check(w, (uint32_t)s->v, esn, &seq);
		ok = rc == s->rc && seq == s->seq;
		if (ok && s->op == ACC) {
			rc2 = replay_update(w, seq);
			ok = rc2 == 0;
		}
	}
	if (!ok)
		fprintf(stderr,
			"\n  %s, step %u: %s 0x%" PRIx64 " gave %d/%d seq 0x%" PRIx64
			", want %d seq 0x%" PRIx64 "\n",
			name, i, op_name(s->op), s->v, rc, rc2, seq, s->rc, s->seq);
	return ok;
}

static void test_cases(void)
{
	CU_ASSERT_TRUE(RTE_DIM(cases) >= 30);
	for (size_t c = 0; c < RTE_DIM(cases); c++) {
		const struct rcase *k = &cases[c];
		struct replay_win *w = win_new(k->size);

		CU_ASSERT_PTR_NOT_NULL_FATAL(w);
		CU_ASSERT_TRUE(k->st[0].op != END);
		for (unsigned int i = 0; i < RTE_DIM(k->st) && k->st[i].op != END; i++) {
			/* a table value that does not fit the 32-bit field is a typo */
			CU_ASSERT_TRUE(k->st[i].op == UPD || k->st[i].v <= UINT32_MAX);
			CU_ASSERT_TRUE(run_step(w, k->esn, &k->st[i], k->name, i));
		}
		free(w);
	}
}

/* Sizes: replay.h's limits; bytes 16 (top, size, words) + W / 8. */
static void test_init(void)
{
	static const struct {
		uint32_t size;
		int rc;
		size_t bytes;
	} t[] = {
		{0, -EINVAL, 0},
		{32, -EINVAL, 0},
		{63, -EINVAL, 0},
		{65, -EINVAL, 0},
		{96, -EINVAL, 0},
		{8192, -EINVAL, 0},
		{UINT32_MAX, -EINVAL, 0},
		{UINT32_C(1) << 31, -EINVAL, 0},
		{64, 0, 24},
		{128, 0, 32},
		{1024, 0, 144},
		{2048, 0, 272},
		{4096, 0, 528},
	};
	enum { GUARD = 64 };
	static uint8_t buf[16 + REPLAY_WIN_MAX / 8 + GUARD];

	for (size_t i = 0; i < RTE_DIM(t); i++) {
		struct replay_win *w = (struct replay_win *)buf;
		size_t got = replay_size(t[i].size);
		size_t used = t[i].rc == 0 ? got : 0;
		bool guard_ok = true;

		CU_ASSERT_EQUAL(got, t[i].bytes);
		memset(buf, 0xa5, sizeof(buf));
		CU_ASSERT_EQUAL(replay_init(w, t[i].size), t[i].rc);
		if (t[i].rc == 0) {
			CU_ASSERT_EQUAL(w->top, 0);
			CU_ASSERT_EQUAL(w->size, t[i].size);
			CU_ASSERT_EQUAL(w->words, t[i].size / 64);
			for (uint32_t j = 0; j < t[i].size / 64; j++)
				CU_ASSERT_EQUAL(w->bits[j], 0);
		}
		/* nothing written past replay_size(), nothing at all when refused */
		for (size_t j = used; j < sizeof(buf); j++)
			guard_ok = guard_ok && buf[j] == 0xa5;
		CU_ASSERT_TRUE(guard_ok);
		if (got != t[i].bytes || !guard_ok)
			fprintf(stderr, "\n  size %" PRIu32 ": bytes %zu, guard %d\n", t[i].size,
				got, guard_ok);
	}
}

/* Section 3.3.3: 2^32 - 1 (2^64 - 1 with ESN) is the last number; the counter never cycles. */
static void test_sender(void)
{
	static const struct {
		bool esn;
		uint64_t counter;
		int rc;
		uint64_t out;
	} t[] = {
		{false, 0, 0, 1},
		{false, 41, 0, 42},
		{false, 0xfffffffe, 0, 0xffffffff},
		{false, 0xffffffff, -EOVERFLOW, 0},
		{false, H(1, 0), -EOVERFLOW, 0},
		{true, 0, 0, 1},
		{true, 0xffffffff, 0, H(1, 0)},
		{true, UINT64_MAX - 1, 0, UINT64_MAX},
		{true, UINT64_MAX, -EOVERFLOW, 0},
	};

	for (size_t i = 0; i < RTE_DIM(t); i++) {
		uint64_t counter = t[i].counter, out = UNTOUCHED;
		int rc = replay_next_seq(&counter, t[i].esn, &out);

		CU_ASSERT_EQUAL(rc, t[i].rc);
		if (t[i].rc == 0) {
			CU_ASSERT_EQUAL(out, t[i].out);
			CU_ASSERT_EQUAL(counter, t[i].out);
		} else {
			CU_ASSERT_EQUAL(out, UNTOUCHED);
			CU_ASSERT_EQUAL(counter, t[i].counter);
		}
		/* a refusal is final: asking again changes nothing */
		if (t[i].rc != 0)
			CU_ASSERT_EQUAL(replay_next_seq(&counter, t[i].esn, &out), t[i].rc);
	}
}

/*
 * The reference model: every number ever marked, in an open-addressing hash set (0 marks an
 * empty slot; 0 is never marked), and the top. Arithmetic in __int128 so that nothing wraps.
 */
#define SEEN_BITS  18
#define SEEN_SLOTS (1u << SEEN_BITS)

struct model {
	__int128 top;
	__int128 size;
	bool esn;
	uint32_t count;
	uint64_t seen[SEEN_SLOTS];
};

static uint32_t slot_of(uint64_t v)
{
	return (uint32_t)((v * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - SEEN_BITS));
}

static bool model_seen(const struct model *m, uint64_t v)
{
	for (uint32_t i = slot_of(v);; i = (i + 1) & (SEEN_SLOTS - 1)) {
		if (m->seen[i] == v)
			return true;
		if (m->seen[i] == 0)
			return false;
	}
}

static void model_mark(struct model *m, uint64_t v)
{
	uint32_t i = slot_of(v);

	while (m->seen[i] != 0)
		i = (i + 1) & (SEEN_SLOTS - 1);
	m->seen[i] = v;
	m->count++;
}

/* Result for the full number s (possibly < 0 or > 2^64 - 1 after inference). */
static int model_classify(const struct model *m, __int128 s)
{
	if (s < 0)
		return -ERANGE;
	if (s == 0 || s > (__int128)UINT64_MAX)
		return -EINVAL;
	if (s > m->top)
		return 0;
	if (s <= m->top - m->size)
		return -ERANGE;
	return model_seen(m, (uint64_t)s) ? -EEXIST : 0;
}

static int model_check(const struct model *m, uint32_t lo, uint64_t *seq)
{
	__int128 s = lo;
	int rc;

	if (m->esn) {
		__int128 left = m->top - m->size + 1;

		s = left + (uint32_t)(lo - (uint32_t)left);
	}
	rc = model_classify(m, s);
	if (rc == 0 || rc == -EEXIST)
		*seq = (uint64_t)s;
	return rc;
}

static int model_update(struct model *m, uint64_t seq)
{
	int rc = model_classify(m, seq);

	if (rc != 0)
		return rc;
	model_mark(m, seq);
	if (seq > m->top)
		m->top = seq;
	return 0;
}

struct run {
	uint32_t size;
	bool esn;
	uint64_t start; /* 0, or a first number marked before the random part */
	uint64_t jump;	/* the largest forward jump of a genuine packet */
};

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * UINT64_C(0x2545f4914f6cdd1d);
}

enum { RECENT = 16 };

struct gen {
	struct rng r;
	uint64_t recent[RECENT];
	unsigned int nrecent;
};

/*
 * One packet: its full number as a sender could have sent it (*forged false), or a value no
 * sender of this SA sends (random bits, numbers below 1 or past 2^32 - 1 without ESN), whose ICV
 * will fail (*forged true).
 */
static uint64_t candidate(struct gen *g, const struct run *k, uint64_t top, bool *forged)
{
	uint64_t x = rnd(&g->r), w = k->size, v;
	unsigned int p = (unsigned int)(x % 100);
	bool behind = false;

	x >>= 8;
	*forged = false;
	if (p < 35) {
		v = top + 1 + x % 4;
	} else if (p < 55) {
		v = top - x % (w + 8);
		behind = true;
	} else if (p < 65 && g->nrecent > 0) {
		v = g->recent[x % RTE_MIN(g->nrecent, (unsigned int)RECENT)];
	} else if (p < 80) {
		v = top + w / 2 + x % (3 * w);
	} else if (p < 88) {
		v = top - w - x % (4 * w);
		behind = true;
	} else if (p < 94) {
		v = top + x % k->jump;
	} else {
		v = x;
		*forged = true;
	}
	if ((behind && v > top) || (!behind && v < top) || (!k->esn && v > UINT32_MAX))
		*forged = true;
	g->recent[g->nrecent++ % RECENT] = v;
	return v;
}

struct tally {
	uint64_t ops;	/* random checks and updates */
	uint64_t swept; /* checks of the periodic sweeps */
	uint64_t rc[5]; /* 0, -EEXIST, -ERANGE, -EINVAL, update refused */
	uint64_t mismatches;
};

static unsigned int rc_slot(int rc)
{
	return rc == 0 ? 0 : rc == -EEXIST ? 1 : rc == -ERANGE ? 2 : 3;
}

static void report(const struct run *k, uint64_t op, const char *what, uint64_t v, int got,
		   int want, uint64_t gseq, uint64_t wseq, struct tally *t)
{
	if (t->mismatches++ == 0)
		fprintf(stderr,
			"\n  W %" PRIu32 " esn %d op %" PRIu64 ": %s 0x%" PRIx64
			" gave %d seq 0x%" PRIx64 ", model %d seq 0x%" PRIx64 "\n",
			k->size, k->esn, op, what, v, got, gseq, want, wseq);
}

/* Check lo on both; returns the model's result, *seq its number. */
static int compare_check(const struct replay_win *w, const struct model *m, const struct run *k,
			 uint32_t lo, struct tally *t, uint64_t *seq)
{
	uint64_t gseq = UNTOUCHED, wseq = UNTOUCHED;
	int got = replay_check(w, lo, k->esn, &gseq);
	int want = model_check(m, lo, &wseq);

	t->rc[rc_slot(want)]++;
	if (got != want || gseq != wseq)
		report(k, t->ops, "check", lo, got, want, gseq, wseq, t);
	*seq = wseq;
	return want;
}

/* Every low half from just below the window to just above it, without updating. */
static void sweep(const struct replay_win *w, const struct model *m, const struct run *k,
		  struct tally *t)
{
	uint64_t top = (uint64_t)m->top, seq;

	for (uint64_t d = 0; d < k->size + 8u; d++) {
		compare_check(w, m, k, (uint32_t)(top + 4 - d), t, &seq);
		t->swept++;
	}
}

static void random_run(const struct run *k, uint64_t seed, uint64_t nops, struct tally *t)
{
	struct model *m = calloc(1, sizeof(*m));
	struct replay_win *w = win_new(k->size);
	struct gen g = {.r = {seed}};
	uint64_t next_sweep = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	m->size = k->size;
	m->esn = k->esn;
	if (k->start != 0) {
		CU_ASSERT_EQUAL(replay_update(w, k->start), 0);
		CU_ASSERT_EQUAL(model_update(m, k->start), 0);
	}
	while (t->ops < nops && t->mismatches == 0) {
		uint64_t seq[8];
		bool forged[8];
		unsigned int n = 1 + (unsigned int)(rnd(&g.r) % 8), ok = 0;

		/* a burst: every packet checked, then the verified ones updated */
		for (unsigned int i = 0; i < n; i++) {
			uint64_t v = candidate(&g, k, (uint64_t)m->top, &forged[ok]);

			t->ops++;
			if (compare_check(w, m, k, (uint32_t)v, t, &seq[ok]) == 0)
				ok++;
		}
		for (unsigned int i = 0; i < ok; i++) {
			if (forged[i] || rnd(&g.r) % 10 == 0)
				continue; /* ICV failed: the window must not move */
			int got = replay_update(w, seq[i]);
			int want = model_update(m, seq[i]);

			t->ops++;
			if (want != 0)
				t->rc[4]++;
			if (got != want)
				report(k, t->ops, "update", seq[i], got, want, 0, 0, t);
		}
		if (t->ops >= next_sweep) {
			sweep(w, m, k, t);
			next_sweep = t->ops + 5000;
		}
	}
	CU_ASSERT_TRUE(m->count < SEEN_SLOTS / 2);
	free(w);
	free(m);
}

static void random_size(uint32_t size)
{
	/*
	 * Without ESN from 0, and from near 2^32 - 1 (the run ends stuck at the top of the space).
	 * With ESN from 0 (case B with Th 0 at first), from just below 2^32 with jumps up to 2^33
	 * (many subspaces crossed), and from near 2^64 - 1 (inference runs out of high halves).
	 */
	const struct run runs[] = {
		{size, false, 0, UINT64_C(1) << 16},
		{size, false, UINT32_MAX - (UINT64_C(1) << 28), UINT64_C(1) << 16},
		{size, true, 0, UINT64_C(1) << 33},
		{size, true, 0xfffff000, UINT64_C(1) << 33},
		{size, true, UINT64_MAX - (UINT64_C(1) << 40), UINT64_C(1) << 33},
	};
	struct tally all = {0};

	for (size_t i = 0; i < RTE_DIM(runs); i++) {
		struct tally t = {0};
		uint64_t seed = UINT64_C(0x9a1b2c3d4e5f6071) + size * 8 + i;

		random_run(&runs[i], seed, 100000, &t);
		CU_ASSERT_EQUAL(t.mismatches, 0);
		CU_ASSERT_TRUE(t.ops >= 100000);
		if (t.mismatches != 0)
			fprintf(stderr, "  seed 0x%" PRIx64 ": %" PRIu64 " mismatches\n", seed,
				t.mismatches);
		for (unsigned int j = 0; j < RTE_DIM(t.rc); j++)
			all.rc[j] += t.rc[j];
	}
	/* the generator reached every outcome, or the comparison proved little */
	for (unsigned int j = 0; j < RTE_DIM(all.rc); j++) {
		CU_ASSERT_TRUE(all.rc[j] > 0);
		if (all.rc[j] == 0)
			fprintf(stderr, "\n  W %" PRIu32 ": outcome %u never seen\n", size, j);
	}
}

static void test_random_64(void)
{
	random_size(64);
}

static void test_random_128(void)
{
	random_size(128);
}

static void test_random_1024(void)
{
	random_size(1024);
}

static void test_random_4096(void)
{
	random_size(4096);
}

int test_replay_register(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{"check/update cases", test_cases},
		{"window sizes", test_init},
		{"sender counter", test_sender},
		{"random vs model W 64", test_random_64},
		{"random vs model W 128", test_random_128},
		{"random vs model W 1024", test_random_1024},
		{"random vs model W 4096", test_random_4096},
	};
	CU_pSuite s = CU_add_suite("replay", NULL, NULL);

	if (s == NULL)
		return CU_get_error();
	for (size_t i = 0; i < RTE_DIM(tests); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return CU_get_error();
	return CUE_SUCCESS;
}
