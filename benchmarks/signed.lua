-- wrk script for benchmarks/run: signed webhooks with unique idempotency keys.
--
--   wrk ... -s benchmarks/signed.lua URL -- SIGNATURE PREFIX [MAX_PER_THREAD] [DELAY_MS]
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
--
-- done() prints one line that benchmarks/run parses:
--   RESULT requests=… duration_s=… p50_ms=… p99_ms=… p999_ms=… non2xx=… socket_errors=…
-- (non2xx is wrk's count of HTTP status > 399.)

-- The same body for every request; benchmarks/run signs these exact bytes.
body = '{"contact_phone":"0429069971","first_name":"Ada","source":"crm","crm_id":1234567}'

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local signature, prefix, max_responses, pause
local counter, responses = 0, 0

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
  if pause > 0 then
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
  io.write(string.format(
    "RESULT requests=%d duration_s=%.3f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    latency.max / 1000,
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
