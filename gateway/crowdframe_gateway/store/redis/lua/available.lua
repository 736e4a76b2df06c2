-- ARGV: worker id, now, 'count' | 'peek'. For an active project: how many tasks this worker
-- could take (count), or the one they would get next (peek); nil when the project is not active.
local project = record(P .. 'project')
if not project or project.status ~= 'active' then return false end
local worker, now = ARGV[1], tonumber(ARGV[2])
if ARGV[3] == 'peek' then
  local tid = first_in('pool', worker, now)
  if not tid then return false end
  return redis.call('HGETALL', P .. 'task:' .. tid)
end
return count_open('pool', worker, now)
