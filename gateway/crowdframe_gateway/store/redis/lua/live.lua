-- ARGV: worker id. The worker's newest live assignment in the project (its hash), or nil.
local newest = redis.call('ZRANGE', P .. 'live:' .. ARGV[1], -1, -1)
if #newest == 0 then return false end
return redis.call('HGETALL', P .. 'asg:' .. newest[1])
