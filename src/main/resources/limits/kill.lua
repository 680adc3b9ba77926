-- kill.lua: engages or clears one runtime kill switch of a tenant and tells every instance.
--
-- KEYS[1]   the tenant's kill switch hash (field → reason)
-- ARGV[1]   the field: '*', 'agent:x', 'tool:x' or 'workflow:x'
-- ARGV[2]   'engage' or 'clear'
-- ARGV[3]   the reason (engage only)
-- ARGV[4]   the channel every instance listens on
-- ARGV[5]   the tenant, the message published on it
--
-- Returns 1. Why a script: the change and its notification go together, so an instance that receives the message
-- and reads the hash sees the change.

if ARGV[2] == 'engage' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1
