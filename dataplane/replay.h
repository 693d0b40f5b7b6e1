/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/replay.h - the ESP anti-replay window (RFC 4303 section 3.4.3, Appendix A) and the
 * sender's sequence counter (section 3.3.3), for 32-bit and extended (64-bit) sequence numbers.
 *
 * A window of W bits (64 <= W <= 4096, a power of two) remembers which of the W sequence numbers
 * top - W + 1 .. top have been received, top being the highest number whose ICV verified. Bit
 * (seq mod W) stands for seq; the window's bits are a ring, so a slide clears the bits of the
 * numbers that left it instead of shifting words. Invariant: for every seq inside the window, its
 * bit is set if and only if seq was marked by replay_update. Numbers never valid: 0 (section
 * 3.3.3, the first packet carries 1) and, with ESN, anything that would need more than 64 bits.
 *
 * Two phases, because the window may move only after the ICV verified (section 3.4.3):
 * replay_check before decryption (read-only; with ESN it infers the high 32 bits, Appendix
 * A2.2), replay_update after. A burst checks all its packets before any is updated, so two copies
 * of one packet can both pass replay_check; replay_update therefore checks again and its result
 * decides whether the packet is delivered.
 *
 * Memory: struct replay_win ends in a flexible array of W / 64 words; allocate replay_size(W)
 * bytes, alone or as the last member of a larger SA allocation, and call replay_init. W = 64
 * takes 24 bytes, W = 1024 144 bytes, W = 4096 528 bytes.
 *
 * Threads: the lcore that owns the SA is the only reader and the only writer (no atomics).
 */
#ifndef VPNHUB_DATAPLANE_REPLAY_H
#define VPNHUB_DATAPLANE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

#define REPLAY_WIN_MIN	   64u
#define REPLAY_WIN_MAX	   4096u
#define REPLAY_WIN_DEFAULT 1024u

struct replay_win {
	uint64_t top;	 /* highest sequence number marked; 0: none yet */
	uint32_t size;	 /* W, the window in sequence numbers (and bits) */
	uint32_t words;	 /* W / 64 */
	uint64_t bits[]; /* bit (seq & (W - 1)) stands for seq */
};

_Static_assert(sizeof(struct replay_win) == 16, "replay_win fixed part grew");

/* Bytes to allocate for a window of size W, or 0 if replay_init would refuse W. Any thread. */
size_t replay_size(uint32_t size);

/*
 * Set up an empty window of size W (top 0, nothing received) in replay_size(W) bytes at w.
 * Returns 0, or -EINVAL if W is not a power of two in [REPLAY_WIN_MIN, REPLAY_WIN_MAX].
 * Owning lcore, or any thread before the SA is published.
 */
int replay_init(struct replay_win *w, uint32_t size);

/*
 * Before decryption: is the packet carrying seq_lo (the ESP header's field) acceptable?
 * Without ESN the sequence number is seq_lo itself. With ESN the high 32 bits are inferred from
 * the window (RFC 4303 Appendix A2.2, cases A and B), and they take part in the ICV.
 * Returns
 *   0        new (right of the window) or inside the window and not seen; *seq = full number
 *   -EEXIST  inside the window and already marked (a replay); *seq = full number
 *   -ERANGE  left of the window (too old), or with ESN in the subspace before the first one
 *   -EINVAL  not a sequence number: 0 (section 3.3.3), or with ESN past 2^64 - 1
 * *seq is written only for 0 and -EEXIST. Owning lcore only; w is not modified.
 */
int replay_check(const struct replay_win *w, uint32_t seq_lo, bool esn,
		 uint64_t *seq) __rte_warn_unused_result;

/*
 * After the ICV of the packet numbered seq (from replay_check) verified: mark seq and, when
 * seq > top, slide the window so that seq is its new top. Re-checks, since other packets of the
 * same burst may have been marked since replay_check. Returns 0 if marked (deliver the packet),
 * -EEXIST if already marked, -ERANGE if now left of the window, -EINVAL for seq 0; on a non-zero
 * return the window is unchanged and the packet must be dropped. Owning lcore only.
 */
int replay_update(struct replay_win *w, uint64_t seq) __rte_warn_unused_result;

/*
 * Sender: *counter is the last sequence number sent on the SA (0 before the first packet).
 * Advances it and stores the number for the next packet in *out (with ESN the low 32 bits go
 * on the wire). Returns 0, or -EOVERFLOW once the counter reached 2^32 - 1 (no ESN) or
 * 2^64 - 1 (ESN): the counter MUST NOT cycle (section 3.3.3), the SA has to be rekeyed;
 * *counter and *out are then untouched. Owning lcore only.
 */
int replay_next_seq(uint64_t *counter, bool esn, uint64_t *out) __rte_warn_unused_result;

#endif
