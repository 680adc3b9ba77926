-- restore.lua: gives an approval back when the call that redeemed it never went out.
--
-- KEYS[1]   the request's hash (see open.lua)
--
-- ARGV[1]   the decision id of the call that was never forwarded
--
-- Returns 1 when the request was redeemed by that call (redeemed_by, as redeem.lua records it, including a retry
-- that took the redemption over) and is now approved again, its redeemed_by and redeemed_scope removed; else 0, and
-- nothing is written. ApprovalRules.restore is the same in Java. The request keeps its expiry: a request given back
-- after it reads as expired.
--
-- Why a script: the check of who redeemed it and the write are one atomic step, so that a call can never give back a
-- redemption a retry has taken over in the meantime.

local f = redis.call('HMGET', KEYS[1], 'state', 'redeemed_by')
if f[1] ~= 'redeemed' or f[2] ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'state', 'approved')
redis.call('HDEL', KEYS[1], 'redeemed_by', 'redeemed_scope')
return 1
