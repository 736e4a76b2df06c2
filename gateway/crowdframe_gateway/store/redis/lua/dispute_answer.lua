-- An open dispute answered (conversations.rules.answer_of decided it may be). ARGV: dispute id,
-- status ('overturned' | 'upheld'), reply ('' for none), answered_at (text). Answers the
-- dispute's status after ('' for no such dispute); a dispute answered before keeps its answer.
local key = P .. 'dispute:' .. ARGV[1]
local status = redis.call('HGET', key, 'status')
if not status then return '' end
if status ~= 'open' then return status end
redis.call('HSET', key, 'status', ARGV[2], 'answered_at', ARGV[4])
if ARGV[3] ~= '' then redis.call('HSET', key, 'reply', ARGV[3]) end
local seq = redis.call('ZSCORE', P .. 'disputes:open', ARGV[1])
redis.call('ZREM', P .. 'disputes:open', ARGV[1])
redis.call('ZADD', P .. 'disputes:' .. ARGV[2], seq, ARGV[1])
return ARGV[2]
