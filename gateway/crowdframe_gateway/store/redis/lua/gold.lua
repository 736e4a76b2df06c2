-- ARGV: ctx, worker id, worker pseudonym, correct ('1' | '0'), min answers, min accuracy.
-- Counts one gold answer; stops the worker, once, with a worker.stopped event, when they have
-- given min answers and their accuracy is below the minimum. Returns the gold record.
local worker = ARGV[2]
local key = P .. 'gold:' .. worker
if redis.call('EXISTS', key) == 0 then
  redis.call('HSET', key, 'project_id', ctx.part, 'worker_id', worker,
    'worker_pseudonym', ARGV[3], 'stopped', 0)
  redis.call('ZADD', P .. 'golders', redis.call('INCR', P .. 'goldseq'), worker)
end
local answered = redis.call('HINCRBY', key, 'answered', 1)
local correct = redis.call('HINCRBY', key, 'correct', tonumber(ARGV[4]))
local stop = answered >= tonumber(ARGV[5]) and correct < tonumber(ARGV[6]) * answered
if stop and redis.call('HGET', key, 'stopped') ~= '1' then
  redis.call('HSET', key, 'stopped', 1)
  emit('worker.stopped', {kind = 'worker.stopped', project_id = ctx.part,
    worker_pseudonym = redis.call('HGET', key, 'worker_pseudonym'), answered = answered,
    correct = correct})
  announce()
end
return redis.call('HGETALL', key)
