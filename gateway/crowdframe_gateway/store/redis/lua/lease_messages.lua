-- ARGV: now, limit, leased lease_end, free slots ({endpoint: n}, JSON), disabled endpoints (JSON
-- list). Leases due messages, oldest first: at most n per endpoint, none while an earlier
-- message of its task for the same endpoint is leased or never tried. Pending messages of
-- disabled endpoints become failed (one disabled while a message was being finished or
-- replayed). Returns {messages, earliest remaining due time or ''}. The free slots are
-- rules.free_slots; which messages to take is this store's one statement of the lease rule
-- (SQLite's: webhooks/sqlite/outbox.py), both held to the table in test_store_delivery_order.py.
local now, limit, lease_end = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
for _, endpoint in ipairs(cjson.decode(ARGV[5])) do fail_pending(endpoint) end

local function blocked(m)
  if m.task == '' then return false end
  local earlier = redis.call('ZRANGEBYSCORE', P .. 'tq:' .. m.endpoint .. '|' .. m.task,
    '-inf', '(' .. m.seq)
  for _, id in ipairs(earlier) do
    local p = redis.call('HMGET', P .. 'msg:' .. id, 'attempts', 'leased_until')
    if p[1] == '0' or (p[2] and p[2] ~= '' and tonumber(p[2]) > now) then return true end
  end
  return false
end

local chosen = {}
for endpoint, free in pairs(cjson.decode(ARGV[4])) do
  local due = P .. 'due:' .. endpoint
  local found = redis.call('ZRANGEBYSCORE', due, '-inf', now, 'WITHSCORES', 'LIMIT', 0,
    free * 4 + 32)
  local taken = 0
  for i = 1, #found, 2 do
    if taken >= free then break end
    local m = record(P .. 'msg:' .. found[i])
    if not m then
      redis.call('ZREM', due, found[i])
    elseif m.status == 'pending' and not blocked(m) then
      table.insert(chosen, {tonumber(found[i + 1]), tonumber(m.seq), m})
      taken = taken + 1
    end
  end
end
table.sort(chosen, function(a, b)
  if a[1] ~= b[1] then return a[1] < b[1] end
  return a[2] < b[2]
end)

local out = {}
for i = 1, math.min(limit, #chosen) do
  local m = chosen[i][3]
  redis.call('HSET', P .. 'msg:' .. m.id, 'leased_until', lease_end)
  redis.call('ZADD', P .. 'due', lease_end, m.id)
  redis.call('ZADD', P .. 'due:' .. m.endpoint, lease_end, m.id)
  table.insert(out, redis.call('HGETALL', P .. 'msg:' .. m.id))
end
local nxt = redis.call('ZRANGE', P .. 'due', 0, 0, 'WITHSCORES')
return {out, nxt[2] or ''}
