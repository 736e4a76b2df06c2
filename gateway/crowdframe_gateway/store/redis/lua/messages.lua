-- Outbox messages and their indexes (delivery.py, delivery_log.py). A message hash holds id,
-- event (facts), endpoint, status, attempts, next_attempt_at, created_at, task (the event's
-- task id or ''), seq (creation order in this partition), sort (the delivery log's sort key)
-- and leased_until ('' when not leased). Indexes, all in this partition:
--   due, due:<endpoint>     pending messages by due time (a leased one: by its lease's end)
--   tq:<endpoint>|<task>    a task's pending messages by seq (per-task delivery order)
--   emsgs:<endpoint>[:<status>]  lex: sort .. id, every message (and by status), for the log

local function task_of(facts)
  local flat = facts.task
  if flat == nil and facts.kind == 'data' then
    local ok, data = pcall(cjson.decode, facts.data)
    if ok and type(data) == 'table' and type(data.task_id) == 'string' then return data.task_id end
    return ''
  end
  if type(flat) ~= 'table' then return '' end
  for i = 1, #flat, 2 do if flat[i] == 'id' then return flat[i + 1] end end
  return ''
end

local function sort_key(created_at, seq)
  return string.format('%016d:%012d:', math.floor(tonumber(created_at) * 1000000), seq)
end

-- Move a message (m: its record) to a status, keeping every index; due: its due time if pending.
local function set_message_status(m, status, due)
  local id, endpoint = m.id, m.endpoint
  local member = m.sort .. id
  redis.call('ZREM', P .. 'emsgs:' .. endpoint .. ':' .. m.status, member)
  redis.call('ZADD', P .. 'emsgs:' .. endpoint .. ':' .. status, 0, member)
  redis.call('HSET', P .. 'msg:' .. id, 'status', status)
  local tq = P .. 'tq:' .. endpoint .. '|' .. m.task
  if status == 'pending' then
    redis.call('ZADD', P .. 'due', due, id)
    redis.call('ZADD', P .. 'due:' .. endpoint, due, id)
    if m.task ~= '' then redis.call('ZADD', tq, tonumber(m.seq), id) end
  else
    redis.call('ZREM', P .. 'due', id)
    redis.call('ZREM', P .. 'due:' .. endpoint, id)
    if m.task ~= '' then redis.call('ZREM', tq, id) end
  end
  m.status = status
end

local function new_message(id, event, facts, endpoint, now)
  local seq = redis.call('INCR', P .. 'msgseq')
  local sort = sort_key(now, seq)
  redis.call('HSET', P .. 'msg:' .. id, 'id', id, 'event', event, 'endpoint', endpoint,
    'status', 'pending', 'attempts', 0, 'next_attempt_at', now, 'created_at', now,
    'task', task_of(facts), 'seq', seq, 'sort', sort, 'leased_until', '')
  redis.call('ZADD', P .. 'emsgs:' .. endpoint, 0, sort .. id)
  local m = {id = id, endpoint = endpoint, status = 'pending', sort = sort, seq = seq,
    task = task_of(facts)}
  set_message_status(m, 'pending', now)
end

-- Every pending message of an endpoint becomes failed (the endpoint was disabled).
local function fail_pending(endpoint)
  local count = 0
  for _, id in ipairs(redis.call('ZRANGE', P .. 'due:' .. endpoint, 0, -1)) do
    local m = record(P .. 'msg:' .. id)
    if m then
      set_message_status(m, 'failed')
      redis.call('HSET', P .. 'msg:' .. id, 'leased_until', '')
      count = count + 1
    else
      redis.call('ZREM', P .. 'due:' .. endpoint, id)
    end
  end
  return count
end
