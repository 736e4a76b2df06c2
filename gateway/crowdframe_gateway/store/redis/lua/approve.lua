-- ARGV: ctx, limit. Approves up to limit submissions whose project's auto-approve delay has
-- passed (submitted_at + delay <= now). Returns {approved assignments, when the next one is
-- due or ''}.
local delay = tonumber(cjson.decode(redis.call('HGET', P .. 'project', 'spec')).auto_approve_delay)
local now = tonumber(ctx.now)
-- a second of slack: the exact test is below, as the SQLite store makes it
local due = redis.call('ZRANGEBYSCORE', P .. 'approvals', '-inf', float(now - delay + 1),
  'LIMIT', 0, tonumber(ARGV[2]))
local approved = {}
for _, id in ipairs(due) do
  local key = P .. 'asg:' .. id
  local a = record(key)
  if not a or a.status ~= 'submitted' then
    redis.call('ZREM', P .. 'approvals', id)
  elseif tonumber(a.submitted_at) + delay <= now then
    move(a, 'approved')
    redis.call('ZREM', P .. 'approvals', id)
    redis.call('HSET', key, 'status', 'approved', 'reviewed_at', ctx.now)
    local snapshot = flat(key)
    emit('assignment.approved', {kind = 'assignment', assignment = snapshot,
      task = flat(P .. 'task:' .. a.task_id), extra = {auto_approved = true}})
    table.insert(approved, snapshot)
  end
end
announce()
local nxt = redis.call('ZRANGE', P .. 'approvals', 0, 0, 'WITHSCORES')
return {approved, nxt[2] and float(tonumber(nxt[2]) + delay) or ''}
