-- expire.lua: marks every pending request of the tenant that is past its expiry as expired, and answers them.
--
-- KEYS[1]   the tenant's pending requests (sorted set; member: id, score: creation time in microseconds)
--
-- ARGV[1]   the request key prefix: the hash of request x is ARGV[1] .. x
-- ARGV[2]   now, microseconds since the epoch: a request whose expiry is before it has expired
--
-- Returns rows of four, one per request expired by this run: document, "expired", approvers (JSON array, "" when
-- none), rejected_by (""). A request is answered once: it leaves the pending set as it expires.
--
-- Why a script: marking a request expired must be atomic against an approver signing it at the same moment (either
-- the sign-off is refused as expired, or it lands first and the request is no longer pending here). The request keys
-- are built here from the prefix; they carry the tenant's hash tag like KEYS[1], so they sit in its Cluster slot.

local now = tonumber(ARGV[2])
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local rows = {}
for i = 1, #ids do
  local key = ARGV[1] .. ids[i]
  local f = redis.call('HMGET', key, 'state', 'expires_at', 'doc', 'approvers')
  if not f[1] or f[1] ~= 'pending' then
    redis.call('ZREM', KEYS[1], ids[i])
  elseif now > tonumber(f[2]) then
    redis.call('HSET', key, 'state', 'expired')
    redis.call('ZREM', KEYS[1], ids[i])
    rows[#rows + 1] = f[3]
    rows[#rows + 1] = 'expired'
    rows[#rows + 1] = f[4] or ''
    rows[#rows + 1] = ''
  end
end
return rows
