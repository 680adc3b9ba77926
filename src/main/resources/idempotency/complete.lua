-- complete.lua: stores the reply of the call that owns an in-flight record.
--
-- KEYS[1]   the record (see begin.lua)
--
-- ARGV[1]   the owner (the decision id that started the record)
-- ARGV[2]   the protocol that encoded the reply       ARGV[3]   the reply (bytes, binary-safe)
-- ARGV[4]   how long the completed record is kept, milliseconds
--
-- Returns 1 when stored; 0 when the record is gone (its lease ran out), owned by another call, or already done.
--
-- Why a script: the owner check and the write are one atomic step, so that a call whose lease ran out cannot
-- overwrite the record of the call that started after it. The key carries the tenant's hash tag.

local f = redis.call('HMGET', KEYS[1], 'owner', 'state')
if f[1] ~= ARGV[1] or f[2] ~= 'in_flight' then
  return 0
end
redis.call('HSET', KEYS[1], 'state', 'done', 'protocol', ARGV[2], 'reply', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
