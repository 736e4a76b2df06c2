-- The worker returns a task. ARGV: ctx, assignment id.
local a = record(P .. 'asg:' .. ARGV[2])
if not a then return {'error', 'not_found', ''} end
if a.status ~= 'accepted' then return {'error', 'assignment_closed', a.status} end
release(a, 'returned')
announce()
return {'ok', flat(P .. 'asg:' .. a.id)}
