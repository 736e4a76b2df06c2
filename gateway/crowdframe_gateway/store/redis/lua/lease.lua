-- ARGV: now, limit, leased until. Leases due messages: nobody else gets them until the lease
-- runs out. Returns {messages, earliest remaining due time or ''}.
local ids = redis.call('ZRANGEBYSCORE', P .. 'due', '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, id in ipairs(ids) do
  local key = P .. 'msg:' .. id
  local message = redis.call('HGETALL', key)
  if #message == 0 then
    redis.call('ZREM', P .. 'due', id)
  else
    table.insert(out, message)
    redis.call('ZADD', P .. 'due', ARGV[3], id)
    redis.call('HSET', key, 'next_attempt_at', ARGV[3])
  end
end
local nxt = redis.call('ZRANGE', P .. 'due', 0, 0, 'WITHSCORES')
return {out, nxt[2] or ''}
