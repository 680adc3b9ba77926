-- abandon.lua: forgets the in-flight record of a call that was never forwarded, so that a retry can run.
--
-- KEYS[1]   the record (see begin.lua)
-- ARGV[1]   the owner (the decision id that started the record)
--
-- Returns 1 when forgotten; 0 when the record is gone, owned by another call, or done (a kept reply stays).
--
-- Why a script: the owner check and the delete are one atomic step, so that a call cannot free a key that another
-- call has started since. The key carries the tenant's hash tag.

local f = redis.call('HMGET', KEYS[1], 'owner', 'state')
if f[1] ~= ARGV[1] or f[2] ~= 'in_flight' then
  return 0
end
redis.call('DEL', KEYS[1])
return 1
