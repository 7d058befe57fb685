-- wrk script for benches/http.sh: GET $WRK_PATH with the bearer $TOKEN;
-- "{id}" in the path becomes a random ticket id in 1..$MAX_ID. Prints
-- one JSON line at the end: requests/s, p50, p99 (ms), non-2xx, errors.
local token = os.getenv("TOKEN") or ""
local path = os.getenv("WRK_PATH") or "/healthz"
local max_id = tonumber(os.getenv("MAX_ID") or "1000000")

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
end

function init(args)
  math.randomseed(os.time() + (seed or 0))
end

function request()
  local p = path:gsub("{id}", function() return tostring(math.random(1, max_id)) end)
  return wrk.format("GET", p, { ["Authorization"] = "Bearer " .. token })
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"non2xx":%d,"errors":%d}\n',
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
