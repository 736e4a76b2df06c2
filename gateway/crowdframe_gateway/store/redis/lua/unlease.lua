-- ARGV: message ids. Ends their leases (the endpoint had no free slot after all): due again at
-- their next attempt time.
for _, id in ipairs(ARGV) do
  local m = record(P .. 'msg:' .. id)
  if m and m.status == 'pending' then
    redis.call('HSET', P .. 'msg:' .. id, 'leased_until', '')
    redis.call('ZADD', P .. 'due', m.next_attempt_at, id)
    redis.call('ZADD', P .. 'due:' .. m.endpoint, m.next_attempt_at, id)
  end
end
return false
