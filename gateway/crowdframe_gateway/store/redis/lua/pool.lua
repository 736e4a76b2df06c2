-- The pool: tasks still short of assignments, by creation order ('pool', score seq) with their
-- expiry beside them ('poolexp'). 'wtasks:<worker>' holds every task a worker ever had here.
local function first_available(worker, now)
  local seen = P .. 'wtasks:' .. worker
  local start = 0
  while true do
    local ids = redis.call('ZRANGE', P .. 'pool', start, start + 99)
    if #ids == 0 then return nil end
    for _, id in ipairs(ids) do
      if tonumber(redis.call('ZSCORE', P .. 'poolexp', id)) > now
        and redis.call('SISMEMBER', seen, id) == 0 then
        return id
      end
    end
    start = start + 100
  end
end
