-- In the client's partition. ARGV: key, request hash, project id, task ids (JSON), mode.
-- reserve: the earlier {request hash, task ids} for this key, or nil after recording ours.
-- release: forget our reservation (its batch was refused), unless another took the key.
local key = P .. 'idem:' .. ARGV[1]
if ARGV[5] == 'release' then
  if redis.call('HGET', key, 'task_ids') == ARGV[4] then redis.call('DEL', key) end
  return false
end
local seen = record(key)
if seen then return {seen.request_hash, seen.task_ids, seen.project_id} end
redis.call('HSET', key, 'request_hash', ARGV[2], 'project_id', ARGV[3], 'task_ids', ARGV[4])
return false
