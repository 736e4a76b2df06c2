-- Shared by every script. KEYS[1] is a partition prefix such as "cf:{prj_x}:" (a project) or
-- "cf:{cli_x}:" (a client). Every key a script touches is that prefix plus a suffix, so all of
-- them share its hash tag: one slot, which is what lets a Redis Cluster run the script.
local P = KEYS[1]

local function record(key)
  local flat = redis.call('HGETALL', key)
  if #flat == 0 then return nil end
  local t = {}
  for i = 1, #flat, 2 do t[flat[i]] = flat[i + 1] end
  return t
end

-- Floats computed here go back as text with every digit, so Python reads the same double.
local function float(x) return string.format('%.17g', x) end
