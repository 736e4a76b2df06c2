-- ARGV: ctx, limit. Approves, oldest first, up to limit submissions due for auto-approval:
-- submitted_at (the score in approvals) + the project's auto-approve delay <= now. This is
-- quality/rules.py approval_due, stated here once more because a submission must still be
-- unreviewed when it is approved; tests/quality_cases.py APPROVAL_CASES hold both to it.
-- The waiting list is in submission order, so the first one not due ends the sweep.
-- Returns {approved assignments, when the next one is due or ''}.
local delay = tonumber(cjson.decode(redis.call('HGET', P .. 'project', 'spec')).auto_approve_delay)
local now = tonumber(ctx.now)
local function due_at(submitted_at) return tonumber(submitted_at) + delay end
local waiting = redis.call('ZRANGE', P .. 'approvals', 0, tonumber(ARGV[2]) - 1, 'WITHSCORES')
local approved = {}
for i = 1, #waiting, 2 do
  if due_at(waiting[i + 1]) > now then break end
  local id = waiting[i]
  local key = P .. 'asg:' .. id
  local a = record(key)
  redis.call('ZREM', P .. 'approvals', id)
  if a and a.status == 'submitted' then
    move(a, 'approved')
    redis.call('HSET', key, 'status', 'approved', 'reviewed_at', ctx.now)
    local snapshot = flat(key)
    emit('assignment.approved', {kind = 'assignment', assignment = snapshot,
      task = flat(P .. 'task:' .. a.task_id), extra = {auto_approved = true}})
    table.insert(approved, snapshot)
  end
end
announce()
local nxt = redis.call('ZRANGE', P .. 'approvals', 0, 0, 'WITHSCORES')
return {approved, nxt[2] and float(due_at(nxt[2])) or ''}
