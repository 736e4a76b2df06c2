-- Events and their outbox messages, written by the same script as the change they announce.
-- ARGV[1] is the context (JSON): client, part (this partition's id), now (text), salt (random,
-- per call), channel (pub/sub), targets ({event type: [endpoint ids]}, computed by the caller
-- from the client's enabled endpoints).
-- An event stores facts (record snapshots); Python renders them with crowdframe_gateway.events,
-- so event bodies never differ between stores.
local ctx = cjson.decode(ARGV[1])
local minted, outbox = 0, {}

local function mint(prefix)
  minted = minted + 1
  return prefix .. '_' .. string.sub(redis.sha1hex(ctx.salt .. ':' .. minted), 1, 22)
end

local function emit(type, facts)
  facts.id = mint('evt')
  facts.client_id = ctx.client
  facts.type = type
  facts.created_at = ctx.now
  local event = cjson.encode(facts)
  redis.call('XADD', P .. 'events', '*', 'id', facts.id, 'event', event)
  for _, endpoint in ipairs(ctx.targets[type] or {}) do
    -- the message id names its partition, so finishing an attempt needs no lookup
    local id = mint('msg') .. '.' .. ctx.part
    new_message(id, event, facts, endpoint, ctx.now)  -- messages.lua: the record and indexes
    table.insert(outbox, id)
  end
  return facts.id
end

-- Wake the delivery loops of every process (after the writes, inside the same script).
local function announce()
  if #outbox > 0 then redis.call('PUBLISH', ctx.channel, ctx.part) end
  if minted > 0 and ctx.feed then redis.call('PUBLISH', ctx.feed, ctx.client) end  -- live.py
end
