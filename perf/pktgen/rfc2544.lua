-- SPDX-License-Identifier: BSD-3-Clause
--
-- perf/pktgen/rfc2544.lua - RFC 2544 section 26.1 throughput search for vpnhub with Pktgen-DPDK.
--
-- Load the traffic first (a lan-*.pkt or esp-*.pkt script), then this file:
--   pktgen ... -f perf/pktgen/lan-64.pkt          (then at the prompt:)
--   load perf/pktgen/rfc2544.lua
-- For each frame size: a binary search over the offered rate (percent of line rate) for the
-- highest rate whose loss (sent on TX_PORT minus received on RX_PORT, over sent) stays at or
-- under LOSS_MAX; each trial runs TRIAL_MS, the stats are read after SETTLE_MS so that packets
-- still in flight are counted; the search stops when the interval is narrower than RESOLUTION
-- or after MAX_TRIALS. The result is confirmed by one trial of CONFIRM_MS. Results are printed
-- and written as CSV to RESULT_FILE. Sizes of 0 keep the frames the loaded script set up
-- (pcap replays: IMIX, ESP captures).
-- Settings can be changed by assigning these globals before loading the file.

local cfg = {
	TX_PORT = 0,
	RX_PORT = 1,
	SIZES = { 64, 1420 },
	LOSS_MAX = 0.0, -- fraction: 0 is RFC 2544's zero-loss throughput; 0.00001 is 0.001 %
	TRIAL_MS = 10000,
	CONFIRM_MS = 60000,
	SETTLE_MS = 1000,
	RESOLUTION = 0.1, -- percent of line rate
	MAX_TRIALS = 20,
	RESULT_FILE = "rfc2544-vpnhub.csv",
}

for k, _ in pairs(cfg) do
	if _G[k] ~= nil then
		cfg[k] = _G[k]
	end
end

local function printf(...)
	io.write(string.format(...))
end

local function port_counts()
	local tx = pktgen.portStats(tostring(cfg.TX_PORT), "port")[cfg.TX_PORT]
	local rx = pktgen.portStats(tostring(cfg.RX_PORT), "port")[cfg.RX_PORT]
	return tx.opackets, rx.ipackets
end

-- One trial at rate percent for ms: returns packets sent, received, and the loss fraction.
local function trial(rate, ms)
	local tx_port = tostring(cfg.TX_PORT)
	pktgen.stop(tx_port)
	pktgen.delay(cfg.SETTLE_MS)
	pktgen.clr()
	pktgen.set(tx_port, "rate", rate)
	pktgen.start(tx_port)
	pktgen.delay(ms)
	pktgen.stop(tx_port)
	pktgen.delay(cfg.SETTLE_MS)
	local sent, received = port_counts()
	local loss = 1.0
	if sent > 0 then
		loss = (sent - received) / sent
	end
	if loss < 0 then
		loss = 0 -- the receiver also counted frames that are not ours (ARP, ND)
	end
	return sent, received, loss
end

-- Binary search for the highest passing rate; returns rate, packets received and trials used.
local function search(size)
	local lo, hi, best, best_rx = 0.0, 100.0, 0.0, 0
	local n = 0
	if size > 0 then
		pktgen.set(tostring(cfg.TX_PORT), "size", size)
	end
	local rate = hi
	while n < cfg.MAX_TRIALS and hi - lo > cfg.RESOLUTION do
		n = n + 1
		local sent, received, loss = trial(rate, cfg.TRIAL_MS)
		printf("  size %s trial %d: rate %.2f%% sent %d received %d loss %.6f%%\n",
			size > 0 and tostring(size) or "pcap", n, rate, sent, received, loss * 100)
		if loss <= cfg.LOSS_MAX then
			lo, best, best_rx = rate, rate, received
		else
			hi = rate
		end
		rate = (lo + hi) / 2
	end
	return best, best_rx, n
end

local function run()
	local out = assert(io.open(cfg.RESULT_FILE, "w"))
	out:write("size,rate_pct,mpps,loss_max,confirmed,trials\n")
	for _, size in ipairs(cfg.SIZES) do
		local rate, received, n = search(size)
		local _, rx, loss = trial(rate, cfg.CONFIRM_MS)
		local confirmed = rate > 0 and loss <= cfg.LOSS_MAX
		local mpps = rx / (cfg.CONFIRM_MS / 1000) / 1e6
		printf("size %s: throughput %.2f%% of line rate, %.3f Mpps (%s, %d trials)\n",
			size > 0 and tostring(size) or "pcap", rate, mpps,
			confirmed and "confirmed" or "NOT confirmed", n)
		out:write(string.format("%s,%.2f,%.3f,%g,%s,%d\n", size > 0 and size or "pcap", rate,
			mpps, cfg.LOSS_MAX, tostring(confirmed), n))
		if received == 0 and rate > 0 then
			print("  warning: nothing received in the last passing trial")
		end
	end
	out:close()
	print("results: " .. cfg.RESULT_FILE)
end

run()
