-- ARGV: the HIT (JSON: {row = task row as tasks.lua takes it, hit = {field = value}}).
-- Inserts the task and its HIT record together; a HIT that exists already stays as it is.
local project = record(P .. 'project')
if not project then return {'error', 'not_found'} end
local made = cjson.decode(ARGV[1])
local tid = made.row[1]
if redis.call('EXISTS', P .. 'task:' .. tid) == 1 then return {'replayed'} end
local refused = insert_tasks(project, {made.row})
if refused then return refused end
for field, value in pairs(made.hit) do redis.call('HSET', P .. 'hit:' .. tid, field, value) end
return {'ok'}
