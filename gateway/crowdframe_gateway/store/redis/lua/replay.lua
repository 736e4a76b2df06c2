-- ARGV: now, 'one' and a message id, or 'failed', an endpoint id and since. Makes delivered or
-- failed messages due now with a fresh retry schedule. Returns the number replayed, or
-- 'missing' / 'pending' for one message that cannot be.
local now = ARGV[1]
local function replay(m)
  redis.call('HSET', P .. 'msg:' .. m.id, 'attempts', 0, 'next_attempt_at', now,
    'leased_until', '')
  set_message_status(m, 'pending', now)
end
if ARGV[2] == 'one' then
  local m = record(P .. 'msg:' .. ARGV[3])
  if not m then return 'missing' end
  if m.status == 'pending' then return 'pending' end
  replay(m)
  return 1
end
local count, since = 0, tonumber(ARGV[4])
for _, member in ipairs(redis.call('ZRANGE', P .. 'emsgs:' .. ARGV[3] .. ':failed', 0, -1)) do
  local m = record(P .. 'msg:' .. string.sub(member, 31))
  if m and tonumber(m.created_at) >= since then
    replay(m)
    count = count + 1
  end
end
return count
