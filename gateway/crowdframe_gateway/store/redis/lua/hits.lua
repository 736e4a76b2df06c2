-- A HIT is a task plus its 'hit:<tid>' record. Its assignments, counted by status: pending
-- (accepted), submitted, reviewed (approved or rejected).
local function hit_counts(tid)
  local pending, submitted, reviewed = 0, 0, 0
  for _, sort in ipairs(redis.call('ZRANGE', P .. 'tasgs:' .. tid, 0, -1)) do
    local status = redis.call('HGET', P .. 'asg:' .. string.sub(sort, 18), 'status')
    if status == 'accepted' then pending = pending + 1
    elseif status == 'submitted' then submitted = submitted + 1
    elseif status == 'approved' or status == 'rejected' then reviewed = reviewed + 1 end
  end
  return {pending, submitted, reviewed}
end

local function hit_of(tid)
  local hit = redis.call('HGETALL', P .. 'hit:' .. tid)
  local task = redis.call('HGETALL', P .. 'task:' .. tid)
  if #hit == 0 or #task == 0 then return false end
  return {task, hit, hit_counts(tid)}
end
