-- A message in a thread (the thread kept the first time), and message.received for a worker's
-- reply. ARGV: ctx, thread id, the thread (JSON), message id, the message (JSON), author,
-- the event's data (JSON, '' for none). Answers the message's order.
local tkey = P .. 'thread:' .. ARGV[2]
local seq = redis.call('INCR', P .. 'conversation-seq')
if redis.call('SET', tkey, ARGV[3], 'NX') then
  redis.call('ZADD', P .. 'threads', seq, ARGV[2])
end
redis.call('SET', P .. 'tmsg:' .. ARGV[4], ARGV[5])
redis.call('ZADD', P .. 'thread-messages:' .. ARGV[2], seq, ARGV[4])
redis.call('ZADD', P .. 'tmsgs', seq, ARGV[4])
redis.call('ZADD', P .. 'tmsgs:' .. ARGV[6], seq, ARGV[4])
if ARGV[7] ~= '' then
  emit('message.received', {kind = 'data', data = ARGV[7]})
  announce()
end
return seq
