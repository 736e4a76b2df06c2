-- A worker's attempts at the assessment ('try:<worker>:<n>', the latest number in
-- 'tries:<worker>') and the qualifications they grant ('qual:<worker>', 'quals').
-- submit.lua counts an assessment question's answer in the worker's open attempt, in the
-- submission's own script. Whether the answer ends the attempt, and passes it, is
-- quality/rules.py attempt_outcome, stated here once more as it must be decided in the step
-- that counts the answer (the last answer ends it, once); tests/quality_cases.py OUTCOME_CASES
-- hold both stores to it.

-- count one answer ('1' | '0' correct) in the worker's open attempt (none open: nothing); the
-- last one ends it: passed with `needed` right or failed, a qualification granted (once) on a
-- pass, and the qualification.granted or .failed event
local function count_attempt(worker, correct, needed)
  local last = redis.call('GET', P .. 'tries:' .. worker)
  if not last then return end
  local key = P .. 'try:' .. worker .. ':' .. last
  local attempt = record(key)
  if not attempt or attempt.finished_at then return end
  local answered = redis.call('HINCRBY', key, 'answered', 1)
  local right = redis.call('HINCRBY', key, 'correct', tonumber(correct))
  local size = tonumber(attempt.test_size)
  if answered < size then return end -- attempt_outcome: over at test size
  local passed = right >= tonumber(needed)
  redis.call('HSET', key, 'finished_at', ctx.now, 'passed', passed and 1 or 0)
  local qual = P .. 'qual:' .. worker
  if passed and redis.call('EXISTS', qual) == 0 then
    redis.call('HSET', qual, 'assessment_id', ctx.part, 'worker_id', worker,
      'worker_pseudonym', attempt.worker_pseudonym, 'score', float(right / size),
      'granted_at', ctx.now)
    redis.call('HSET', P .. 'quals', attempt.worker_pseudonym, worker)
  end
  local type = passed and 'qualification.granted' or 'qualification.failed'
  emit(type, {kind = 'attempt', attempt = redis.call('HGETALL', key)})
end
