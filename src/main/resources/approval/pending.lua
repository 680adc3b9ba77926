-- pending.lua: the tenant's pending, unexpired requests, oldest first, optionally of one tool.
--
-- KEYS[1]   the tenant's pending requests (sorted set; member: id, score: creation time in microseconds)
--
-- ARGV[1]   the request key prefix: the hash of request x is ARGV[1] .. x
-- ARGV[2]   now, microseconds since the epoch
-- ARGV[3]   "1" to keep only the requests of the tool ARGV[4], else "0"
-- ARGV[4]   the tool ("" when ARGV[3] is "0")
--
-- Returns rows of four, one per request: document, "pending", approvers (JSON array, "" when none), rejected_by ("").
-- Ids whose hash has expired, or that are no longer pending, are dropped from the set; requests past their expiry
-- stay in it until expire.lua reports them.
--
-- Why a script: one round trip reads the set and every hash in one consistent view. The request keys are built here
-- from the prefix; they carry the tenant's hash tag like KEYS[1], so they sit in its Redis Cluster slot.

local now = tonumber(ARGV[2])
local only = ARGV[3] == '1'
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local rows = {}
for i = 1, #ids do
  local f = redis.call('HMGET', ARGV[1] .. ids[i], 'state', 'tool', 'expires_at', 'doc', 'approvers')
  if not f[1] or f[1] ~= 'pending' then
    redis.call('ZREM', KEYS[1], ids[i])
  elseif now <= tonumber(f[3]) and (not only or f[2] == ARGV[4]) then
    rows[#rows + 1] = f[4]
    rows[#rows + 1] = 'pending'
    rows[#rows + 1] = f[5] or ''
    rows[#rows + 1] = ''
  end
end
return rows
