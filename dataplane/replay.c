/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/replay.c - the ESP anti-replay window and the sender's counter (see replay.h).
 *
 * The bitmap holds exactly W bits used as a ring indexed by seq & (W - 1). When the top moves
 * from t to t + n, the bits of t + 1 .. t + n stood for t + 1 - W .. t + n - W, the numbers that
 * just left the window: the first n - 1 are cleared (the whole map if n - 1 >= W) and the last
 * is set for the new top. An in-order packet (n = 1) thus writes one bit and the top.
 * RFC 6479 instead keeps W + 64 bits rounded up to a power of two and clears whole words; this
 * map is half that size, W / 8 bytes. Every function runs on the SA's owning lcore only.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>

#include "dataplane/replay.h"

static bool size_ok(uint32_t size)
{
	return size >= REPLAY_WIN_MIN && size <= REPLAY_WIN_MAX && rte_is_power_of_2(size);
}

size_t replay_size(uint32_t size)
{
	if (!size_ok(size))
		return 0;
	return sizeof(struct replay_win) + size / 8;
}

int replay_init(struct replay_win *w, uint32_t size)
{
	if (!size_ok(size))
		return -EINVAL;
	w->top = 0;
	w->size = size;
	w->words = size / 64;
	memset(w->bits, 0, size / 8);
	return 0;
}

static inline uint32_t bit_of(const struct replay_win *w, uint64_t seq)
{
	return (uint32_t)seq & (w->size - 1);
}

static inline bool marked(const struct replay_win *w, uint64_t seq)
{
	uint32_t b = bit_of(w, seq);

	return (w->bits[b / 64] >> (b % 64)) & 1;
}

/*
 * RFC 4303 Appendix A2.2: the high 32 bits for a received low half lo, given the window
 * [top - W + 1, top]. Bl is the low half of the window's left edge; it wraps in case B.
 */
static inline int infer(const struct replay_win *w, uint32_t lo, uint64_t *seq)
{
	uint32_t th = (uint32_t)(w->top >> 32);
	uint32_t tl = (uint32_t)w->top;
	uint32_t bl = tl - (w->size - 1);
	uint32_t sh;

	if (tl >= w->size - 1) {
		/* case A: the window lies in subspace Th; below Bl means the next subspace */
		if (lo >= bl)
			sh = th;
		else if (th == UINT32_MAX)
			return -EINVAL; /* 2^64 or more: the sender never cycles (3.3.3) */
		else
			sh = th + 1;
	} else {
		/* case B: the window spans the end of Th - 1 and the start of Th */
		if (lo < bl)
			sh = th;
		else if (th == 0)
			return -ERANGE; /* there is no subspace before the first one */
		else
			sh = th - 1;
	}
	*seq = (uint64_t)sh << 32 | lo;
	return 0;
}

/* Section 3.4.3: right of the window is new, left of it too old, inside it the bit decides. */
static inline int classify(const struct replay_win *w, uint64_t seq)
{
	if (seq == 0)
		return -EINVAL;
	if (seq > w->top)
		return 0;
	if (w->top - seq >= w->size)
		return -ERANGE;
	return marked(w, seq) ? -EEXIST : 0;
}

int replay_check(const struct replay_win *w, uint32_t seq_lo, bool esn, uint64_t *seq)
{
	uint64_t s = seq_lo;
	int rc;

	if (esn) {
		rc = infer(w, seq_lo, &s);
		if (rc != 0)
			return rc;
	}
	rc = classify(w, s);
	if (rc == 0 || rc == -EEXIST)
		*seq = s;
	return rc;
}

/*
 * Make seq (> w->top) the new top. The bits of w->top + 1 .. seq - 1 stood for numbers that left
 * the window and are cleared; seq's own bit is set by the caller, so an in-order packet clears
 * nothing here.
 */
static void slide(struct replay_win *w, uint64_t seq)
{
	uint64_t n = seq - w->top - 1;
	uint32_t pos, left;

	if (n >= w->size) {
		memset(w->bits, 0, (size_t)w->words * sizeof(w->bits[0]));
		w->top = seq;
		return;
	}
	pos = bit_of(w, w->top + 1);
	left = (uint32_t)n;
	while (left > 0) {
		uint32_t off = pos % 64;
		uint32_t take = RTE_MIN(64 - off, left);
		uint64_t ones = take == 64 ? UINT64_MAX : (UINT64_C(1) << take) - 1;

		w->bits[pos / 64] &= ~(ones << off);
		left -= take;
		pos = (pos + take) & (w->size - 1);
	}
	w->top = seq;
}

int replay_update(struct replay_win *w, uint64_t seq)
{
	int rc = classify(w, seq);
	uint32_t b;

	if (rc != 0)
		return rc;
	if (seq > w->top)
		slide(w, seq);
	b = bit_of(w, seq);
	w->bits[b / 64] |= UINT64_C(1) << (b % 64);
	return 0;
}

int replay_next_seq(uint64_t *counter, bool esn, uint64_t *out)
{
	uint64_t last = esn ? UINT64_MAX : UINT32_MAX;

	if (*counter >= last)
		return -EOVERFLOW;
	*counter += 1;
	*out = *counter;
	return 0;
}
