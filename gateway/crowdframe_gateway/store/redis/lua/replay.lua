-- ARGV: the fresh schedule (attempts, next attempt at: rules.replay_schedule), then 'one', a
-- message id and the status the caller read, or 'failed', an endpoint id and since. Makes the
-- messages pending again on that schedule. Returns the number replayed, or 'missing' /
-- 'changed' (no longer in the status the caller read: it reads again) for one message.
local attempts, due = ARGV[1], ARGV[2]
local function replay(m)
  redis.call('HSET', P .. 'msg:' .. m.id, 'attempts', attempts, 'next_attempt_at', due,
    'leased_until', '')
  set_message_status(m, 'pending', due)
end
if ARGV[3] == 'one' then
  local m = record(P .. 'msg:' .. ARGV[4])
  if not m then return 'missing' end
  if m.status ~= ARGV[5] then return 'changed' end
  replay(m)
  return 1
end
local count, since = 0, tonumber(ARGV[5])
for _, member in ipairs(redis.call('ZRANGE', P .. 'emsgs:' .. ARGV[4] .. ':failed', 0, -1)) do
  local m = record(P .. 'msg:' .. string.sub(member, 31))
  if m and tonumber(m.created_at) >= since then
    replay(m)
    count = count + 1
  end
end
return count
