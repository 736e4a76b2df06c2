-- ARGV: tasks (JSON: [[id, external_id, input JSON, status, created_at, expires_at], ...]).
-- All or nothing; a batch whose first task exists already was inserted before (idempotent).
local project = record(P .. 'project')
if not project then return {'error', 'not_found'} end
local tasks = cjson.decode(ARGV[1])
if #tasks > 0 and redis.call('EXISTS', P .. 'task:' .. tasks[1][1]) == 1 then
  return {'replayed'}
end
for i, t in ipairs(tasks) do
  if redis.call('HEXISTS', P .. 'ext', t[2]) == 1 then return {'error', 'clash', i - 1} end
end
for _, t in ipairs(tasks) do
  local seq = redis.call('INCR', P .. 'taskseq')
  redis.call('HSET', P .. 'task:' .. t[1], 'id', t[1], 'project_id', project.id,
    'external_id', t[2], 'input', t[3], 'status', t[4], 'created_at', t[5], 'expires_at', t[6],
    'per_task', project.per_task, 'assigned', 0, 'seq', seq)
  redis.call('ZADD', P .. 'tasks', seq, t[1])
  redis.call('HSET', P .. 'ext', t[2], t[1])
  redis.call('HINCRBY', P .. 'counts', 'tasks', 1)
  if t[4] == 'open' then
    redis.call('ZADD', P .. 'pool', seq, t[1])
    redis.call('ZADD', P .. 'poolexp', t[6], t[1])
    redis.call('HINCRBY', P .. 'counts', 'open', 1)
  end
end
return {'ok'}
