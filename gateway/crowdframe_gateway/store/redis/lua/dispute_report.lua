-- An open dispute past its due time reported once, with its dispute.overdue event. ARGV: ctx,
-- dispute id, the event's data (JSON), now (text).
local key = P .. 'dispute:' .. ARGV[2]
if redis.call('HGET', key, 'status') ~= 'open' then return 0 end
if redis.call('HEXISTS', key, 'reported_at') == 1 then return 0 end
redis.call('HSET', key, 'reported_at', ARGV[4])
emit('dispute.overdue', {kind = 'data', data = ARGV[3]})
announce()
return 1
