-- ARGV: worker id, worker pseudonym, test size, retry after (s), now, project id, the new
-- attempt's questions in its order (JSON, chosen by quality/rules.py attempt_questions).
-- The worker's open attempt at this assessment, or a new one: none for a holder of the
-- qualification, during the cool-down after a failed attempt, or when fewer than test-size
-- questions the worker never had are left. This is quality/rules.py attempt_state, stated here
-- once more because the decision and the start are one atomic step (never two open attempts);
-- tests/quality_cases.py ATTEMPT_CASES hold both to the same cases.
-- Returns {state, attempt hash (flat; empty when there is none)}.
local worker, now, size = ARGV[1], tonumber(ARGV[5]), tonumber(ARGV[3])
local last = tonumber(redis.call('GET', P .. 'tries:' .. worker) or '0')
local key = P .. 'try:' .. worker .. ':' .. last
local latest = nil
if last > 0 then latest = record(key) end
local function answer(state) return {state, redis.call('HGETALL', key)} end
if redis.call('EXISTS', P .. 'qual:' .. worker) == 1 then return answer('qualified') end
if latest then
  if not latest.finished_at then return answer('open') end
  if latest.passed == '0' and now < tonumber(latest.finished_at) + tonumber(ARGV[4]) then
    return answer('cooling')
  end
end
if count_open('gold', worker, now) < size then return answer('exhausted') end
local number = last + 1
key = P .. 'try:' .. worker .. ':' .. number
redis.call('HSET', key, 'project_id', ARGV[6], 'worker_id', worker, 'worker_pseudonym', ARGV[2],
  'number', number, 'test_size', size, 'started_at', ARGV[5], 'answered', 0, 'correct', 0,
  'questions', ARGV[7])
redis.call('SET', P .. 'tries:' .. worker, number)
redis.call('ZADD', P .. 'tries', redis.call('INCR', P .. 'tryseq'), worker .. ':' .. number)
return answer('open')
