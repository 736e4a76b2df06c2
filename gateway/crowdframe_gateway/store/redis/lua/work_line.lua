-- ARGV: the line (JSON), its key (an assignment id, a bonus's credit key), status, currency, amount (cents), submitted_at.
-- In the worker's partition: their statement of work (ledger/redis.py). The line is kept and
-- the totals moved from the line as it was to the line as it is, in one step; the same line
-- again changes nothing. A line keeps the place of its first writing. Returns 1, or 0 for a
-- repeat.
local key, id = P .. 'line:' .. ARGV[2], ARGV[2]
local was = redis.call('GET', key)
if was == ARGV[1] then return 0 end
local totals = P .. 'totals'
if was then
  local old = cjson.decode(was)
  local field = old.status .. ' ' .. old.currency
  redis.call('HINCRBY', totals, field, -old.amount_cents)
  redis.call('HINCRBY', totals, field .. ' #', -1)
else
  redis.call('ZADD', P .. 'lines', redis.call('INCR', P .. 'lineseq'), id)
  if ARGV[3] ~= 'bonus' then redis.call('ZADD', P .. 'submissions', ARGV[6], id) end
end
redis.call('SET', key, ARGV[1])
local field = ARGV[3] .. ' ' .. ARGV[4]
redis.call('HINCRBY', totals, field, ARGV[5])
redis.call('HINCRBY', totals, field .. ' #', 1)
return 1
