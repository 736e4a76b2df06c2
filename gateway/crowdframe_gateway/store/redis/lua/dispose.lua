-- ARGV: task id, now. Disposes of a HIT that has expired or is complete, with every
-- submitted assignment reviewed. Returns {'ok'} (also when disposed before) or {'error', code}.
local tid = ARGV[1]
local found = hit_of(tid)
if not found then return {'error', 'not_found'} end
local key = P .. 'hit:' .. tid
if redis.call('HEXISTS', key, 'disposed_at') == 1 then return {'ok'} end
local task = record(P .. 'task:' .. tid)
local counts = found[3]
local open_for_work = task.status == 'open' and tonumber(task.expires_at) > tonumber(ARGV[2])
if open_for_work or counts[1] > 0 or counts[2] > 0 then return {'error', 'not_disposable'} end
redis.call('HSET', key, 'disposed_at', ARGV[2])
return {'ok'}
