-- ARGV: task id, seats to add, now. A HIT's MaxAssignments grows
-- (CreateAdditionalAssignmentsForHIT): its task gets the seats, a completed one opens again,
-- and it comes back into its pool. Returns {'ok'} or {'error', code}.
local key = P .. 'task:' .. ARGV[1]
if redis.call('EXISTS', key) == 0 then return {'error', 'not_found'} end
local status = redis.call('HGET', key, 'status')
if status == 'cancelled' then return {'error', 'cancelled'} end
if status == 'completed' then
  redis.call('HSET', key, 'status', 'open')
  redis.call('HINCRBY', P .. 'counts', 'open', 1)
  redis.call('HINCRBY', P .. 'counts', 'completed', -1)
end
redis.call('HINCRBY', key, 'per_task', tonumber(ARGV[2]))
settle(key, tonumber(ARGV[3]))
return {'ok'}
