-- A dispute, once per assignment, with its assignment.disputed event. ARGV: ctx, dispute id,
-- assignment id, the event's data (JSON), then the dispute's fields as name, value pairs.
local of = P .. 'dispute-of:' .. ARGV[3]
local existing = redis.call('GET', of)
if existing then return {'exists', existing} end
redis.call('SET', of, ARGV[2])
local key = P .. 'dispute:' .. ARGV[2]
for i = 5, #ARGV, 2 do redis.call('HSET', key, ARGV[i], ARGV[i + 1]) end
local seq = redis.call('INCR', P .. 'conversation-seq')
redis.call('ZADD', P .. 'disputes', seq, ARGV[2])
redis.call('ZADD', P .. 'disputes:open', seq, ARGV[2])
emit('assignment.disputed', {kind = 'data', data = ARGV[4]})
announce()
return {'ok', ''}
