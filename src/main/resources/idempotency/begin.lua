-- begin.lua: starts a call with an idempotency key, or says what the key's record holds.
--
-- KEYS[1]   the record (hash: owner, payload, state "in_flight" | "done", and once done protocol and reply)
--
-- ARGV[1]   the call's payload SHA-256
-- ARGV[2]   the call's decision id, the owner if it starts the record
-- ARGV[3]   the in-flight lease, milliseconds: the record is forgotten then unless completed (a crashed call)
--
-- Returns one of
--   {"started"}                                   no record: one is created in flight, owned by ARGV[2]
--   {"mismatch", owner}                           the key was used with another payload (in flight or done)
--   {"replay", owner, protocol, reply}            done with this payload: the stored reply (bytes, as stored)
--   {"in_flight", owner}                          the first call with this payload has not completed
--
-- Why a script: of two calls with one key arriving at once exactly one may start; the read and the create are one
-- atomic step. The lease is the key's time to live, counted by Redis's clock, so that an instance whose clock is off
-- cannot make a record expire early. The key carries the tenant's hash tag.

local f = redis.call('HMGET', KEYS[1], 'owner', 'payload', 'state')
if not f[1] then
  redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'payload', ARGV[1], 'state', 'in_flight')
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return {'started'}
end
if f[2] ~= ARGV[1] then
  return {'mismatch', f[1]}
end
if f[3] == 'done' then
  local reply = redis.call('HMGET', KEYS[1], 'protocol', 'reply')
  return {'replay', f[1], reply[1], reply[2]}
end
return {'in_flight', f[1]}
