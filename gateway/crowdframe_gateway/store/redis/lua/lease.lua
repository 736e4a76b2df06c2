-- ARGV: assignment id, its new deadline, the deadline that was decided from (work/rules.py
-- heartbeat_deadline decides; this performs). The compare-and-set the rule needs: only an
-- assignment still accepted with that deadline takes the new one (an expiry, a submit or
-- another heartbeat in between wins). Returns the assignment as it is then, nil for none.
local key = P .. 'asg:' .. ARGV[1]
local a = record(key)
if not a then return false end
if a.status == 'accepted' and tonumber(a.deadline) == tonumber(ARGV[3]) then
  redis.call('HSET', key, 'deadline', ARGV[2])
  redis.call('ZADD', P .. 'deadlines', 'XX', ARGV[2], ARGV[1])
end
return redis.call('HGETALL', key)
