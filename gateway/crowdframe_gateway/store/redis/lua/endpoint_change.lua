-- ARGV: ctx, endpoint id, its JSON as the caller read it, its new JSON, fail pending ('1' or
-- ''), an event to record ('' or its type), the event's data (JSON). Compare-and-set: 'changed'
-- if the endpoint is no longer what the caller read (it reads again and retries), 'missing' if
-- it is gone. Disabling fails the endpoint's pending messages in this (the client's) partition
-- and drops its leases; the caller then fails those in the client's project partitions.
local current = redis.call('HGET', P .. 'endpoints', ARGV[2])
if not current then return 'missing' end
if current ~= ARGV[3] then return 'changed' end
redis.call('HSET', P .. 'endpoints', ARGV[2], ARGV[4])
if ARGV[5] == '1' then
  fail_pending(ARGV[2])
  redis.call('DEL', P .. 'inflight:' .. ARGV[2])
end
if ARGV[6] ~= '' then emit(ARGV[6], {kind = 'data', data = ARGV[7]}) end
announce()
return 'ok'
