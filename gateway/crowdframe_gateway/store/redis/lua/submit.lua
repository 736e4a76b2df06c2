-- ARGV: ctx, assignment id, result (JSON text). Returns {'ok', assignment} or {'error', code, status}.
local key = P .. 'asg:' .. ARGV[2]
local a = record(key)
if not a then return {'error', 'not_found', ''} end
if a.status == 'submitted' or a.status == 'approved' or a.status == 'rejected' then
  return {'error', 'already_submitted', a.status}
end
if a.status ~= 'accepted' or tonumber(ctx.now) > tonumber(a.deadline) then
  return {'error', 'assignment_closed', a.status}
end
move(a, 'submitted')
redis.call('HSET', key, 'status', 'submitted', 'submitted_at', ctx.now, 'result', ARGV[3])
close_live(a)
local tkey = P .. 'task:' .. a.task_id
local snapshot = flat(key)
emit('assignment.submitted', {kind = 'assignment', assignment = snapshot, task = flat(tkey)})
local subs = P .. 'tsubs:' .. a.task_id
redis.call('ZADD', subs, 0, a.sort)
local task = record(tkey)
if task.status == 'open' and redis.call('ZCARD', subs) >= tonumber(task.per_task) then
  local submissions = {}
  for _, sort in ipairs(redis.call('ZRANGE', subs, 0, -1)) do
    table.insert(submissions, flat(P .. 'asg:' .. string.sub(sort, 18)))
  end
  emit('task.completed', {kind = 'task.completed', task = flat(tkey), submissions = submissions})
  redis.call('HSET', tkey, 'status', 'completed')
  redis.call('HINCRBY', P .. 'counts', 'open', -1)
  redis.call('HINCRBY', P .. 'counts', 'completed', 1)
end
announce()
return {'ok', snapshot}
