-- ARGV: worker id, now, limit. The first `limit` gold tasks of the project's pool the worker
-- may take (open, unexpired, never had, not excluded), in the pool's order: what a new
-- assessment attempt chooses its questions from (quality/rules.py attempt_questions). Read
-- once when an attempt starts, never by a claim; it passes over the tasks the worker had.
local worker, now, limit = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
lapse(now)
local open, found, start = open_to('gold', worker), {}, 0
while #found < limit do
  local ids = redis.call('ZRANGE', P .. 'gold', start, start + 99)
  if #ids == 0 then break end
  for _, id in ipairs(ids) do
    if open(id, now) then
      found[#found + 1] = id
      if #found == limit then break end
    end
  end
  start = start + #ids
end
return found
