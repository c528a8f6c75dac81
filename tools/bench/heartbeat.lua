-- wrk script: POST /registry/heartbeat, cycling through the workspaces in $BENCH_TOKENS
-- (lines "<workspace id> <token>").
local pairs_ = {}
local i = 0

function init(args)
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    local id, token = line:match("^(%S+)%s+(%S+)$")
    if id then table.insert(pairs_, {id, token}) end
  end
  i = math.random(#pairs_)
end

function request()
  i = i % #pairs_ + 1
  local p = pairs_[i]
  local body = '{"workspace_id":"' .. p[1] .. '","error_rate":0.01,"active_tasks":1,"uptime_seconds":' .. i .. '}'
  return wrk.format("POST", "/registry/heartbeat",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. p[2]}, body)
end

function response(status, headers, body)
  if status ~= 200 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
    wrk.thread:stop()
  end
end
