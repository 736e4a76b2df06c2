-- ARGV: task rows (JSON, see tasks.lua). All or nothing; a batch whose first task exists
-- already was inserted before (idempotent).
local project = record(P .. 'project')
if not project then return {'error', 'not_found'} end
local rows = cjson.decode(ARGV[1])
if #rows > 0 and redis.call('EXISTS', P .. 'task:' .. rows[1][1]) == 1 then
  return {'replayed'}
end
return insert_tasks(project, rows) or {'ok'}
