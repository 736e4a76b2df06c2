-- ARGV: task id. The HIT: {task, HIT record, counts}, or nil.
return hit_of(ARGV[1])
