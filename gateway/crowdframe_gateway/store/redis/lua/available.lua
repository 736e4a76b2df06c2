-- ARGV: worker id, now, 'count' | 'peek'. For an active project: how many tasks this worker
-- could take (count), or the one they would get next (peek); nil when the project is not active;
-- 'again' when a peek's look stopped short.
local project = record(P .. 'project')
if not project or project.status ~= 'active' then return false end
local worker, now = ARGV[1], tonumber(ARGV[2])
if ARGV[3] == 'peek' then
  local tid, _, again = first_in('pool', worker, now)
  if again then return 'again' end -- a long walk: the next script goes on from where it stopped
  if not tid then return false end
  return redis.call('HGETALL', P .. 'task:' .. tid)
end
return count_open('pool', worker, now)
