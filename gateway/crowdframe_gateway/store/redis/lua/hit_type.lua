-- In the client's partition. ARGV: fingerprint, HIT type id, the HIT type (JSON).
-- Identical parameters give the same HIT type: returns the stored one, registering ours first
-- if there is none.
local id = redis.call('HGET', P .. 'hit-type-fps', ARGV[1])
if not id then
  id = ARGV[2]
  redis.call('HSET', P .. 'hit-types', id, ARGV[3])
  redis.call('HSET', P .. 'hit-type-fps', ARGV[1], id)
end
return redis.call('HGET', P .. 'hit-types', id)
