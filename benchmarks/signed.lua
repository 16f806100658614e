-- wrk script for benchmarks/run: signed webhooks with unique idempotency keys.
--
--   wrk ... -s benchmarks/signed.lua URL -- SIGNATURE PREFIX [MAX_PER_THREAD] [DELAY_MS] [RATE_PER_THREAD]
--
-- SIGNATURE  the X-Webhook-Signature value ("sha256=<hex>"). The body is
--            constant, so its HMAC-SHA256 is too; benchmarks/run computes it
--            once from the automation's secret. "-" sends no signature (nginx).
-- PREFIX     makes the idempotency keys of this run unique across runs:
--            "<PREFIX>-<thread>-<counter>", a new key for every request.
-- MAX_PER_THREAD  stop a thread after this many responses (0: no limit);
--            used to queue a given number of executions.
-- DELAY_MS   wait this long on a connection before each request (0: none):
--            a paced, steady load (the end-to-end figure).
-- RATE_PER_THREAD  send at this constant rate (requests/s) per wrk thread
--            (0: none; overrides DELAY_MS): the thread's requests are given
--            send times on a fixed schedule (start + k / rate), and each
--            connection waits for the next free one. A late send is not
--            skipped: the schedule catches up, so the offered rate holds as
--            long as there are idle connections (the sustained figure).
--            wrk 4 has no wrk2-style constant rate of its own.
--
-- done() prints one line that benchmarks/run parses:
--   RESULT requests=… duration_s=… p50_ms=… p99_ms=… p999_ms=… non2xx=… socket_errors=… late=…
-- (non2xx is wrk's count of HTTP status > 399; late counts paced sends made
-- more than LATE_MS after their scheduled time: no idle connection, or a
-- starved wrk thread.)

-- The same body for every request; benchmarks/run signs these exact bytes.
body = '{"contact_phone":"0429069971","first_name":"Ada","source":"crm","crm_id":1234567}'

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local signature, prefix, max_responses, pause, rate
local counter, responses = 0, 0
-- Global, not local: done() reads it from each thread with thread:get.
late = 0
local LATE_MS = 100

-- A monotonic clock in milliseconds (wrk's Lua is LuaJIT: its FFI reaches
-- clock_gettime; os.time has whole seconds only).
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } signed_lua_timespec;
int clock_gettime(int clock_id, signed_lua_timespec *tp);
]]
local now_buffer = ffi.new("signed_lua_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, now_buffer)  -- CLOCK_MONOTONIC
  return tonumber(now_buffer.tv_sec) * 1000 + tonumber(now_buffer.tv_nsec) / 1e6
end

function init(args)
  signature = args[1] or "-"
  prefix = args[2] or "bench"
  max_responses = tonumber(args[3] or "0") or 0
  pause = tonumber(args[4] or "0") or 0
  if max_responses > 0 then
    -- Defined only when needed: wrk skips response parsing callbacks otherwise.
    response = function(status, headers, body)
      responses = responses + 1
      if responses >= max_responses then wrk.thread:stop() end
    end
  end
  rate = tonumber(args[5] or "0") or 0
  if rate > 0 then
    local interval = 1000 / rate
    local next_slot = nil
    -- Called before each request on a connection: the wait until the next
    -- unclaimed send time of this thread (whole ms, as wrk's timer takes).
    delay = function()
      local now = now_ms()
      if next_slot == nil then next_slot = now end
      local slot = next_slot
      next_slot = slot + interval
      local wait = slot - now
      if wait < -LATE_MS then late = late + 1 end
      if wait <= 0 then return 0 end
      return math.floor(wait)
    end
  elseif pause > 0 then
    delay = function() return pause end
  end
end

request = function()
  counter = counter + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["X-Idempotency-Key"] = string.format("%s-%d-%d", prefix, tid, counter),
  }
  if signature ~= "-" then headers["X-Webhook-Signature"] = signature end
  return wrk.format("POST", nil, headers, body)
end

function done(summary, latency, requests)
  local late_sends = 0
  for _, thread in ipairs(threads) do late_sends = late_sends + (thread:get("late") or 0) end
  io.write(string.format(
    "RESULT requests=%d duration_s=%.3f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f non2xx=%d socket_errors=%d late=%d\n",
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    latency.max / 1000,
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    late_sends))
end
