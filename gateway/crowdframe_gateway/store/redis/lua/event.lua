-- An event that is not a state change of this store (endpoint.test). ARGV: ctx, type, data JSON.
local id = emit(ARGV[2], {kind = 'data', data = ARGV[3]})
announce()
return {id, outbox}
