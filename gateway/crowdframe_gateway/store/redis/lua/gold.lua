-- A worker's gold record in the project ('gold:<worker>', listed in 'golders' in order of
-- their first gold answer). submit.lua counts a graded gold answer in the submission's own
-- script, as Python decided it (quality/rules.py grade_gold): the grade holds only for the
-- record it was decided for, one with 'seen' answers.
local function gold_seen(worker)
  return tonumber(redis.call('HGET', P .. 'gold:' .. worker, 'answered')) or 0
end

-- count one answer ('1' | '0' correct); stop the worker, once, with a worker.stopped event
local function count_gold(a, correct, stop)
  local key = P .. 'gold:' .. a.worker_id
  if redis.call('EXISTS', key) == 0 then
    redis.call('HSET', key, 'project_id', ctx.part, 'worker_id', a.worker_id,
      'worker_pseudonym', a.worker_pseudonym, 'stopped', 0)
    redis.call('ZADD', P .. 'golders', redis.call('INCR', P .. 'goldseq'), a.worker_id)
  end
  local answered = redis.call('HINCRBY', key, 'answered', 1)
  local right = redis.call('HINCRBY', key, 'correct', tonumber(correct))
  if stop and redis.call('HGET', key, 'stopped') ~= '1' then
    redis.call('HSET', key, 'stopped', 1)
    emit('worker.stopped', {kind = 'worker.stopped', project_id = ctx.part,
      worker_pseudonym = a.worker_pseudonym, answered = answered, correct = right})
  end
end
