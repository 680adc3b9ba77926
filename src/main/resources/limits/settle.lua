-- settle.lua: settles or releases one reservation (preceded by release.lua, which defines release()).
--
-- KEYS[1]        the reservation hash
-- KEYS[2]        the tenant's leases sorted set
-- KEYS[3 ..]     the budget ledgers the reservation was taken against (declared for Redis Cluster; the ledgers
--                actually touched are the ones the reservation names)
-- ARGV[1]        "settle" or "release"
-- ARGV[2]        the actual cost in integer micro-dollars (ignored by "release")
-- ARGV[3]        the reservation id (the leases member)
--
-- Returns 1 when the reservation was there and is now settled, 0 when it was gone (settled, released or expired
-- before): a reservation is never released twice.
--
-- Why a script: reading the reservation, moving its amounts and deleting it must be one step, or a settle racing the
-- lease sweep could release the same amount twice.

local actual = nil
if ARGV[1] == 'settle' then
  actual = ARGV[2]
end
local found = release(KEYS[1], actual)
redis.call('ZREM', KEYS[2], ARGV[3])
if found then
  return 1
end
return 0
