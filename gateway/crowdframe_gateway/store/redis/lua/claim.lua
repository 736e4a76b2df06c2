-- ARGV: ctx, worker id, worker pseudonym, new assignment id, an assessment attempt's
-- questions in its order (JSON; '' for none: quality/rules.py attempt_questions), then the pools
-- to take from in order ('gold', 'pool': work/rules.py's claim_pools). Who may take which task is decided here,
-- in the step (work/rules.py lists the rules; work/sqlite.py states them for SQLite).
-- Returns the assignment or nil (also for a worker holding a live question of an assessment),
-- or 'again' when the look stopped short (pool.lua's first_in): run it again.
local project = record(P .. 'project')
if not project or project.status ~= 'active' then return false end
local now = tonumber(ctx.now)
local worker = ARGV[2]
local spec = cjson.decode(project.spec)
if spec.kind == 'assessment' then -- one question at a time: a second tab gets none
  for _, id in ipairs(redis.call('ZRANGE', P .. 'live:' .. worker, 0, -1)) do
    local due = redis.call('ZSCORE', P .. 'deadlines', id)
    if due and tonumber(due) > now then return false end
  end
end
lapse(now)
local tid, pool, past, again = nil, nil, false, false
if ARGV[5] ~= '' then -- the first of the attempt's questions still open to the worker
  local open = open_to('gold', worker)
  for _, id in ipairs(cjson.decode(ARGV[5])) do
    if redis.call('ZSCORE', P .. 'gold', id) and open(id, now) then tid, pool = id, 'gold'; break end
  end
end
if not tid then
  for i = 6, #ARGV do
    pool = ARGV[i]
    tid, past, again = first_in(pool, worker, now)
    if tid or again then break end
  end
end
if again then return 'again' end -- a long walk: the next script goes on from where it stopped
if not tid then return false end
local tkey = P .. 'task:' .. tid
local task = record(tkey)
local duration = spec.assignment_duration
local deadline = float(math.min(now + duration, tonumber(task.expires_at)))
task.assigned = redis.call('HINCRBY', tkey, 'assigned', 1)
local mine = P .. 'pw:' .. worker
if past then redis.call('HSET', mine, pool .. ':front', task.seq + 1) end
if belongs(task, now) then -- one more of the pool this worker may not take
  redis.call('HINCRBY', mine, pool .. ':skip', 1)
else -- full: out of the pool, before this worker joins those who had it
  settle(tkey, now)
end
redis.call('SADD', P .. 'wtasks:' .. worker, tid)
local time = redis.call('TIME')
local id = ARGV[4]
local sort = string.format('%010d%06d:%s', time[1], time[2], id)
local key = P .. 'asg:' .. id
redis.call('HSET', key, 'id', id, 'task_id', tid, 'project_id', project.id,
  'client_id', project.client_id, 'worker_id', worker, 'worker_pseudonym', ARGV[3],
  'external_id', task.external_id, 'status', 'accepted', 'accepted_at', ctx.now,
  'deadline', deadline, 'sort', sort)
redis.call('ZADD', P .. 'asgs', 0, sort)
redis.call('ZADD', P .. 'asgs:accepted', 0, sort)
redis.call('ZADD', P .. 'tasgs:' .. tid, 0, sort)
redis.call('ZADD', P .. 'live:' .. worker, float(time[1] * 1000000 + time[2]), id)
redis.call('ZADD', P .. 'deadlines', deadline, id)
local snapshot = flat(key)
emit('assignment.accepted', {kind = 'assignment', assignment = snapshot, task = flat(tkey)})
announce()
return snapshot
