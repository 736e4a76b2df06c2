-- In the client's partition. ARGV: access key id. 1 if an active key was revoked, else 0.
local key = P .. 'mturk-key:' .. ARGV[1]
if redis.call('HGET', key, 'status') ~= 'active' then return 0 end
redis.call('HSET', key, 'status', 'revoked')
return 1
