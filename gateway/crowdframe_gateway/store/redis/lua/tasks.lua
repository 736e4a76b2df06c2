-- Inserting tasks. A row: {id, external_id, input JSON, status, created_at, expires_at,
-- gold JSON ('' for a normal task), seats ('' for the project's assignments_per_task)}.
-- Returns nil, or {'error', ...} when nothing was inserted: all or nothing.
local function insert_tasks(project, rows)
  for i, t in ipairs(rows) do
    if redis.call('HEXISTS', P .. 'ext', t[2]) == 1 then return {'error', 'clash', i - 1} end
  end
  for _, t in ipairs(rows) do
    local seq = redis.call('INCR', P .. 'taskseq')
    local seats = t[8] ~= '' and t[8] or project.per_task
    redis.call('HSET', P .. 'task:' .. t[1], 'id', t[1], 'project_id', project.id,
      'external_id', t[2], 'input', t[3], 'status', t[4], 'created_at', t[5], 'expires_at', t[6],
      'per_task', seats, 'assigned', 0, 'seq', seq)
    if t[7] ~= '' then redis.call('HSET', P .. 'task:' .. t[1], 'gold', t[7]) end
    redis.call('ZADD', P .. 'tasks', seq, t[1])
    redis.call('HSET', P .. 'ext', t[2], t[1])
    redis.call('HINCRBY', P .. 'counts', 'tasks', 1)
    if t[4] == 'open' then
      local pool = t[7] ~= '' and 'gold' or 'pool'
      redis.call('ZADD', P .. pool, seq, t[1])
      redis.call('ZADD', P .. pool .. 'exp', t[6], t[1])
      redis.call('HINCRBY', P .. 'counts', 'open', 1)
      redis.call('HINCRBY', P .. 'pooled', pool, 1)
      if pool == 'gold' then redis.call('HINCRBY', P .. 'counts', 'goldopen', 1) end
      redis.call('ZADD', P .. 'lifetimes', t[6], t[1]) -- the sweep (expire_tasks.lua)
    end
  end
  return nil
end
