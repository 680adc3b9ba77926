-- release.lua: not a script of its own; RedisScripts puts it in front of settle.lua and release_expired.lua so that
-- both release a reservation the same way.
--
-- release(resv, actual) settles the reservation hash `resv` (see reserve.lua for its fields): for each budget ledger
-- it names, reserved -= its amount (never below 0) and, when `actual` is not nil, spent += actual (the actual cost
-- counts fully against every budget the call reserved against). A ledger that has expired, or was reset after the
-- reservation (its generation moved on), is left alone: the reservation settles into nothing there. Then the
-- reservation is deleted. Answers false when there was no reservation (already settled, released or expired).
--
-- The ledgers are read from the reservation itself; they carry the same tenant hash tag as `resv`, so they sit in its
-- Redis Cluster slot.

local function release(resv, actual)
  local fields = redis.call('HGETALL', resv)
  if #fields == 0 then
    return false
  end
  local gens = {}
  for i = 1, #fields, 2 do
    if string.sub(fields[i], 1, 4) == 'gen:' then
      gens[string.sub(fields[i], 5)] = fields[i + 1]
    end
  end
  for i = 1, #fields, 2 do
    local key = fields[i]
    if string.sub(key, 1, 3) == 'tg:' then
      local v = redis.call('HMGET', key, 'reserved', 'gen')
      if v[1] and (v[2] or '0') == gens[key] then
        local give_back = math.min(tonumber(fields[i + 1]), tonumber(v[1]))
        if give_back > 0 then
          redis.call('HINCRBY', key, 'reserved', string.format('%d', -give_back))
        end
        if actual then
          redis.call('HINCRBY', key, 'spent', actual)
        end
      end
    end
  end
  redis.call('DEL', resv)
  return true
end
