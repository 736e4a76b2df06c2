-- In the client's partition. ARGV: task id, UniqueRequestToken ('' for none), the HIT as
-- create_hit.lua takes it (JSON). Lists the HIT, and claims the token for it; a token used
-- before returns the HIT it created instead, changing nothing.
if ARGV[2] ~= '' then
  local seen = redis.call('HGET', P .. 'hit-tokens', ARGV[2])
  if seen then return seen end
  redis.call('HSET', P .. 'hit-tokens', ARGV[2], ARGV[3])
end
redis.call('ZADD', P .. 'hits', redis.call('INCR', P .. 'hitseq'), ARGV[1])
return false
