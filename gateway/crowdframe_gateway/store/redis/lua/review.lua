-- ARGV: ctx, assignment id, 'approved' | 'rejected', reason ('' for none), extra event data
-- (JSON object, '' for none), '1' when an approval may overturn a rejection (a dispute's answer).
local key = P .. 'asg:' .. ARGV[2]
local a = record(key)
if not a then return {'error', 'not_found', ''} end
local target = ARGV[3]
if a.status == target then return {'ok', flat(key)} end -- repeating a review is harmless
local overturning = ARGV[6] == '1' and a.status == 'rejected' and target == 'approved'
if a.status ~= 'submitted' and not overturning then return {'error', 'not_reviewable', a.status} end
move(a, target)
redis.call('ZREM', P .. 'approvals', a.id)
redis.call('HSET', key, 'status', target, 'reviewed_at', ctx.now)
if ARGV[4] ~= '' then
  redis.call('HSET', key, 'reject_reason', ARGV[4])
else
  redis.call('HDEL', key, 'reject_reason')
end
local snapshot = flat(key)
local extra = nil
if ARGV[5] ~= '' then extra = cjson.decode(ARGV[5]) end
emit('assignment.' .. target, {kind = 'assignment', assignment = snapshot,
  task = flat(P .. 'task:' .. a.task_id), extra = extra})
announce()
return {'ok', snapshot}
