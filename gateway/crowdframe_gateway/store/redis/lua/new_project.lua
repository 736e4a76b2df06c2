-- ARGV: field, value, ... of the project record. Writes it unless the project exists; returns
-- the record's order (seq) either way.
if redis.call('EXISTS', P .. 'project') == 0 then
  redis.call('HSET', P .. 'project', unpack(ARGV))
  redis.call('SET', P .. 'lifetimes:filled', 'done') -- its tasks join 'lifetimes' as they come
end
return tonumber(redis.call('HGET', P .. 'project', 'seq'))
