-- ARGV: index (a lex zset of assignment sort keys), how many, then field names. The fields of
-- the newest assignments in the index, newest first: one round trip for the quality signals.
local found = {}
local sorts = redis.call('ZRANGE', P .. ARGV[1], '+', '-', 'BYLEX', 'REV', 'LIMIT', 0, tonumber(ARGV[2]))
for _, sort in ipairs(sorts) do
  table.insert(found, redis.call('HMGET', P .. 'asg:' .. string.sub(sort, 18), unpack(ARGV, 3)))
end
return found
