-- release_expired.lua: releases one batch of reservations whose lease has expired (preceded by release.lua).
--
-- KEYS[1]   the tenant's leases sorted set (member: reservation id, score: lease expiry in microseconds)
-- ARGV[1]   now, microseconds since the epoch: leases with a score <= now have expired
-- ARGV[2]   the batch size
-- ARGV[3]   the reservation key prefix: the reservation of id x is ARGV[3] .. x
--
-- Returns {released, looked at}: the caller runs it again while `looked at` equals the batch size.
--
-- Why a script: each release must be atomic against a concurrent settle of the same reservation, so that an amount
-- is given back once. The reservation keys are built here; they carry the tenant's hash tag like KEYS[1], so they sit
-- in its Redis Cluster slot.

local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local released = 0
for i = 1, #ids do
  if release(ARGV[3] .. ids[i], nil) then
    released = released + 1
  end
  redis.call('ZREM', KEYS[1], ids[i])
end
return {released, #ids}
