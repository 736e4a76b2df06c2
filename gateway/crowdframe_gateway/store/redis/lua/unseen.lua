-- ARGV: worker id, now. How many open gold tasks (an assessment's questions) the worker never had.
return count_open('gold', ARGV[1], tonumber(ARGV[2]))
