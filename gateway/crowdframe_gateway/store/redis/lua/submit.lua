-- ARGV: ctx, assignment id, result (JSON text), signals (JSON list), address hash ('' for none),
-- decision ('' | 'more' | 'done'), answers it was made for, SHA-1 of the spec it was made with,
-- and a gold answer's grade (gold.lua): correct ('' for no grade | '1' | '0'), the answers on
-- the worker's gold record it was decided for, '1' if it stops the worker else '0'; and an
-- assessment question's grade in the worker's attempt (attempt.lua): correct ('' for none |
-- '1' | '0'), the right answers that pass the attempt; the hour of the submission (hour_of in
-- core/records.py), whose count of the project's submissions it adds to (the charts).
-- Returns {'ok', assignment, auto-approval due at, '1' if queued for crowd review else '0'},
-- {'error', code, status} (writing nothing; 'gold_record_changed': grade again), or, writing
-- nothing, {'decide', spec, results}: the submission completes a task whose answers may need
-- one more worker, which core/agreement.py decides; the caller asks again with the decision, and
-- it holds only if neither the answers nor the spec changed in between.
local key = P .. 'asg:' .. ARGV[2]
local a = record(key)
if not a then return {'error', 'not_found', ''} end
if a.status == 'submitted' or a.status == 'approved' or a.status == 'rejected' then
  return {'error', 'already_submitted', a.status}
end
if a.status ~= 'accepted' or tonumber(ctx.now) > tonumber(a.deadline) then
  return {'error', 'assignment_closed', a.status}
end
if ARGV[9] ~= '' and gold_seen(a.worker_id) ~= tonumber(ARGV[10]) then
  return {'error', 'gold_record_changed', a.status}
end
local project = record(P .. 'project')
local spec = cjson.decode(project.spec)
local tkey = P .. 'task:' .. a.task_id
local task = record(tkey)
local subs = P .. 'tsubs:' .. a.task_id
local answers = redis.call('ZCARD', subs) + 1
local outcome = nil -- nil: the task stays as it is
if is_normal(task) and task.status == 'open' and answers >= tonumber(task.per_task) then
  local most, agreement = tonumber(spec.assignments_max) or 0, tonumber(spec.agreement_min) or 0
  if answers >= most or agreement <= 0 then
    outcome = 'done' -- no answers could ask for more
  elseif ARGV[6] ~= '' and tonumber(ARGV[7]) == answers
    and ARGV[8] == redis.sha1hex(project.spec) then
    outcome = ARGV[6]
  else
    local results = {}
    for _, sort in ipairs(redis.call('ZRANGE', subs, 0, -1)) do
      table.insert(results, redis.call('HGET', P .. 'asg:' .. string.sub(sort, 18), 'result'))
    end
    table.insert(results, ARGV[3])
    return {'decide', project.spec, results}
  end
end

move(a, 'submitted')
redis.call('HSET', key, 'status', 'submitted', 'submitted_at', ctx.now, 'result', ARGV[3])
local signals = cjson.decode(ARGV[4])
if #signals > 0 then redis.call('HSET', key, 'signals', ARGV[4]) end
for _, signal in ipairs(signals) do redis.call('ZADD', P .. 'sig:' .. signal, 0, a.sort) end
if ARGV[5] ~= '' then
  redis.call('HSET', key, 'ip_hash', ARGV[5])
  redis.call('SADD', P .. 'ip:' .. ARGV[5], a.worker_id)
end
close_live(a)
redis.call('ZADD', P .. 'subs', 0, a.sort)
redis.call('ZADD', P .. 'wsubs:' .. a.worker_id, 0, a.sort)
redis.call('ZADD', P .. 'approvals', ctx.now, a.id)
redis.call('HINCRBY', P .. 'subhours', ARGV[14], 1)
local queued = '0'
if is_normal(task) and type(spec.crowd_review) == 'table' then -- crowd_review.py
  redis.call('ZADD', P .. 'reviewq', 'NX', ctx.now, a.id)
  queued = '1'
end
local snapshot = flat(key)
emit('assignment.submitted', {kind = 'assignment', assignment = snapshot, task = flat(tkey)})
redis.call('ZADD', subs, 0, a.sort)
if ARGV[9] ~= '' then count_gold(a, ARGV[9], ARGV[11] == '1') end
if ARGV[12] ~= '' then count_attempt(a.worker_id, ARGV[12], ARGV[13]) end
if outcome == 'more' then
  redis.call('HINCRBY', tkey, 'per_task', 1)
  settle(tkey, tonumber(ctx.now))
elseif outcome == 'done' then
  local submissions = {}
  for _, sort in ipairs(redis.call('ZRANGE', subs, 0, -1)) do
    table.insert(submissions, flat(P .. 'asg:' .. string.sub(sort, 18)))
  end
  redis.call('HSET', tkey, 'status', 'completed')
  settle(tkey, tonumber(ctx.now))
  redis.call('HINCRBY', P .. 'counts', 'open', -1)
  redis.call('HINCRBY', P .. 'counts', 'completed', 1)
  emit('task.completed', {kind = 'task.completed', task = flat(tkey), submissions = submissions})
  announce_if_finished(tkey)
end
announce()
return {'ok', snapshot, float(tonumber(ctx.now) + (tonumber(spec.auto_approve_delay) or 0)),
  queued}
