-- KEYS[1]: the mail partition ("cf:{mail}:"). ARGV: now, limit, lease until. Leases up to
-- `limit` due emails, the longest due first: each is due again at `lease until` (unless
-- finished before), so no other process takes it meanwhile. Returns their records (JSON).
local due, emails = P .. 'due', P .. 'emails'
local ids = redis.call('ZRANGEBYSCORE', due, '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local leased = {}
for _, id in ipairs(ids) do
  redis.call('ZADD', due, ARGV[3], id)
  leased[#leased + 1] = redis.call('HGET', emails, id)
end
return leased
