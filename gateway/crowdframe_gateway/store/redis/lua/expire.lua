-- ARGV: ctx, limit. Expires up to limit assignments past their deadline (strictly before now).
-- Returns {expired, earliest remaining deadline or ''}.
local due = redis.call('ZRANGEBYSCORE', P .. 'deadlines', '-inf', '(' .. ctx.now,
  'LIMIT', 0, tonumber(ARGV[2]))
local expired = 0
for _, id in ipairs(due) do
  local a = record(P .. 'asg:' .. id)
  if a and a.status == 'accepted' then
    release(a, 'expired')
    expired = expired + 1
  else
    redis.call('ZREM', P .. 'deadlines', id)
  end
end
announce()
local nxt = redis.call('ZRANGE', P .. 'deadlines', 0, 0, 'WITHSCORES')
return {expired, nxt[2] or ''}
