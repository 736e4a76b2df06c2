-- ARGV: now, window (seconds). One more attempt in the key's fixed window, which opens at the
-- first attempt; a closed window opens anew. The key expires (server time) a little after the
-- window, so idle keys go away. Returns {count, window end}.
local key, now, window = P .. 'count', tonumber(ARGV[1]), tonumber(ARGV[2])
local found = redis.call('HMGET', key, 'n', 'end')
if not found[1] or tonumber(found[2]) <= now then
  local ends = float(now + window)
  redis.call('HSET', key, 'n', 1, 'end', ends)
  redis.call('PEXPIRE', key, math.ceil(window * 1000) + 1000)
  return {1, ends}
end
return {redis.call('HINCRBY', key, 'n', 1), found[2]}
