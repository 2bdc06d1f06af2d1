-- wrk -s bench/wrk/deliveries.lua: POST /api/deliveries of 1 unit each, over WRK_SKUS SKUs
-- (W0 … W<n-1>, default 200) at location main, each request with its own delivery id:
-- D-<WRK_TAG>-<thread>-<counter>. The bench receives the stock first (bench/bench_http.py).

local skus = tonumber(os.getenv("WRK_SKUS") or "200")
local tag = os.getenv("WRK_TAG") or "run"
local threads = 0
local counter = 0

function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end

function init(args)
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local sku = (counter * 7 + thread_id * 31) % skus
  local body = string.format(
    '{"delivery_id":"D-%s-%d-%d","location":"main","lines":[{"sku":"W%d","quantity":"1"}]}',
    tag, thread_id, counter, sku)
  return wrk.format("POST", "/api/deliveries", nil, body)
end
