-- wrk script for the soak: a mix of heartbeats, reads, memory writes and hostile bodies, over
-- the workspaces in $BENCH_TOKENS (lines "<workspace id> <token>"); the admin token in
-- $BENCH_ADMIN. Any 5xx stops the run.
local pairs_ = {}
local i = 0
local admin = os.getenv("BENCH_ADMIN")
local deep = string.rep("[", 5000) .. string.rep("]", 5000)

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
  local auth = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. p[2]}
  local kind = i % 10
  if kind < 5 then
    return wrk.format("POST", "/registry/heartbeat", auth,
      '{"workspace_id":"' .. p[1] .. '","error_rate":0.01,"active_tasks":1,"uptime_seconds":' .. i .. '}')
  elseif kind == 5 then
    return wrk.format("GET", "/workspaces", {["Authorization"] = "Bearer " .. admin})
  elseif kind == 6 then
    return wrk.format("GET", "/workspaces/" .. p[1])
  elseif kind == 7 then
    return wrk.format("POST", "/workspaces/" .. p[1] .. "/memories", auth,
      '{"content":"note ' .. i .. ' OPENAI_API_KEY=sk-abcdefghijklmnopqrstuvwxyz"}')
  elseif kind == 8 then
    return wrk.format("POST", "/registry/heartbeat", auth, '{"workspace_id":"' .. p[1] .. '","x":' .. deep .. '}')
  else
    return wrk.format("GET", "/workspaces/" .. p[1] .. "/activity?limit=20", auth)
  end
end

function response(status, headers, body)
  if status >= 500 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
    wrk.thread:stop()
  end
end
