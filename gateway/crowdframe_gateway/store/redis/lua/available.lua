-- ARGV: worker id, now, 'count' | 'peek'. For an active project: how many tasks this worker
-- could take (count), or the one they would get next (peek); nil when the project is not active.
local project = record(P .. 'project')
if not project or project.status ~= 'active' then return false end
local worker, now = ARGV[1], tonumber(ARGV[2])
if ARGV[3] == 'peek' then
  local tid = first_available(worker, now)
  if not tid then return false end
  return redis.call('HGETALL', P .. 'task:' .. tid)
end
local n = redis.call('ZCARD', P .. 'pool') - redis.call('ZCOUNT', P .. 'poolexp', '-inf', ARGV[2])
-- less the pool's live tasks the worker had or may never take (the two sets never share one)
for _, set in ipairs({'wtasks:', 'excluded:'}) do
  for _, tid in ipairs(redis.call('SMEMBERS', P .. set .. worker)) do
    local expires = redis.call('ZSCORE', P .. 'poolexp', tid)
    if expires and tonumber(expires) > now then n = n - 1 end
  end
end
return n
