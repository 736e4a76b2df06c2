-- ARGV: a partition id, then (stream id, event id, facts) triples read from that partition's
-- events, in order. Appends to the client's feed those after the partition's mark in "fed"
-- (a copy made twice, by two readers at once, is appended once) and moves the mark.
local function after(a, b)  -- stream ids "ms-seq": a > b
  local am, as = string.match(a, '(%d+)-(%d+)')
  local bm, bs = string.match(b, '(%d+)-(%d+)')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  return am > bm or (am == bm and as > bs)
end
local mark = redis.call('HGET', P .. 'fed', ARGV[1]) or '0-0'
local copied = 0
for i = 2, #ARGV, 3 do
  if after(ARGV[i], mark) then
    redis.call('XADD', P .. 'feed', '*', 'id', ARGV[i + 1], 'event', ARGV[i + 2])
    mark = ARGV[i]
    copied = copied + 1
  end
end
redis.call('HSET', P .. 'fed', ARGV[1], mark)
return copied
