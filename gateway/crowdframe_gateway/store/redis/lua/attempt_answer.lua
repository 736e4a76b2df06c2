-- ARGV: ctx, worker id, correct ('1' | '0'), right answers needed to pass.
-- Counts one answer in the worker's open attempt; the last one ends it: passed or failed,
-- a qualification granted (once) on a pass, and the event. Returns the attempt, or nil when
-- no attempt is open. Whether the answer ends the attempt, and passes it, is quality/rules.py
-- attempt_outcome, stated here once more as it must be decided in the step that counts the
-- answer (the last answer ends it, once); tests/quality_cases.py OUTCOME_CASES hold both to it.
local worker = ARGV[2]
local last = redis.call('GET', P .. 'tries:' .. worker)
if not last then return false end
local key = P .. 'try:' .. worker .. ':' .. last
local attempt = record(key)
if not attempt or attempt.finished_at then return false end
local answered = redis.call('HINCRBY', key, 'answered', 1)
local correct = redis.call('HINCRBY', key, 'correct', tonumber(ARGV[3]))
local size = tonumber(attempt.test_size)
if answered >= size then  -- attempt_outcome: over at test size; passed with `needed` right
  local passed = correct >= tonumber(ARGV[4])
  redis.call('HSET', key, 'finished_at', ctx.now, 'passed', passed and 1 or 0)
  local qual = P .. 'qual:' .. worker
  if passed and redis.call('EXISTS', qual) == 0 then
    redis.call('HSET', qual, 'assessment_id', ctx.part, 'worker_id', worker,
      'worker_pseudonym', attempt.worker_pseudonym, 'score', float(correct / size),
      'granted_at', ctx.now)
    redis.call('HSET', P .. 'quals', attempt.worker_pseudonym, worker)
  end
  local type = passed and 'qualification.granted' or 'qualification.failed'
  emit(type, {kind = 'attempt', attempt = redis.call('HGETALL', key)})
  announce()
end
return redis.call('HGETALL', key)
