-- ARGV: task row (JSON, see tasks.lua), the worker it is never given to. Returns the task as
-- stored: the one inserted, or the one already there with that id (idempotent).
local project = record(P .. 'project')
if not project then return {'error', 'not_found'} end
local row = cjson.decode(ARGV[1])
local tkey = P .. 'task:' .. row[1]
if redis.call('EXISTS', tkey) == 0 then
  local refused = insert_tasks(project, {row})
  if refused then return refused end
  -- the submitter may never take it: claim, peek and count skip it (pool.lua)
  redis.call('SADD', P .. 'excluded:' .. ARGV[2], row[1])
  redis.call('HSET', tkey, 'excluded_worker', ARGV[2])
  if row[4] == 'open' then redis.call('HINCRBY', P .. 'pw:' .. ARGV[2], 'pool:skip', 1) end
end
return {'ok', redis.call('HGETALL', tkey)}
