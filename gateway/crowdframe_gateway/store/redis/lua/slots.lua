-- ARGV: now, per endpoint cap, then (endpoint, message id, lease end) triples. Takes one of the
-- endpoint's delivery slots for each message while fewer than cap leases are running, across
-- every partition and process. Returns '1' (taken) or '0' per message.
local now, cap, out = ARGV[1], tonumber(ARGV[2]), {}
for i = 3, #ARGV, 3 do
  local key = P .. 'inflight:' .. ARGV[i]
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if redis.call('ZCARD', key) < cap then
    redis.call('ZADD', key, ARGV[i + 2], ARGV[i + 1])
    table.insert(out, '1')
  else
    table.insert(out, '0')
  end
end
return out
