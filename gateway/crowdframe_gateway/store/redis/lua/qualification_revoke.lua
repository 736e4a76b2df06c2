-- ARGV: worker pseudonym. Takes back the qualification this assessment granted; 1 if it did.
local worker = redis.call('HGET', P .. 'quals', ARGV[1])
if not worker then return 0 end
redis.call('HDEL', P .. 'quals', ARGV[1])
return redis.call('DEL', P .. 'qual:' .. worker)
