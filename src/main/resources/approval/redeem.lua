-- redeem.lua: consumes an approved request for the call it was opened for, once; answers a retry of that call with
-- the same idempotency scope as a repeat.
--
-- KEYS[1]   the request's hash (see open.lua)
--
-- ARGV[1]   the agent of the call               ARGV[2]   its run ("" when none)
-- ARGV[3]   its payload SHA-256                 ARGV[4]   now, microseconds since the epoch
-- ARGV[5]   its decision id                     ARGV[6]   "1" when it carries an Idempotency-Key, else "0"
-- ARGV[7]   its idempotency scope ("" when ARGV[6] is "0")
--
-- Returns {"invalid", cause}, cause one of NOT_FOUND, OTHER_PRINCIPAL, OTHER_RUN, PAYLOAD_CHANGED, USED, REJECTED,
-- EXPIRED, PENDING (nothing written); or {"ok", document, "redeemed", approvers (JSON array), rejected_by, repeat}
-- with repeat "1" when the request was already redeemed and this call is a retry of the redeeming one, else "0".
--
-- The rules, in this order (ApprovalRules.redeem is the same in Java): the call must be the request's agent, run and
-- payload (checked first, so that another call learns nothing of the request's state); then the request must be
-- approved and unexpired. It becomes redeemed, and the call's decision id and idempotency scope are recorded beside
-- it (redeemed_by, redeemed_scope; no scope: the field is absent). A redeemed request whose recorded scope is present
-- and equal to the call's is a repeat until its expiry (after it, EXPIRED): its state stays redeemed, and the call
-- takes the redemption over (redeemed_by), so that the earlier call's restore.lua no longer applies. Any other call
-- finds a redeemed request USED. The key keeps its expiry, so the record stays readable.
--
-- Why a script: of two retries redeeming at once exactly one may pass; the check and the write are one atomic step.

local f = redis.call('HMGET', KEYS[1], 'state', 'agent', 'run', 'payload', 'expires_at', 'approvers',
  'rejected_by', 'doc', 'redeemed_scope')
local state = f[1]
if not state then
  return {'invalid', 'NOT_FOUND'}
end
if ARGV[1] ~= f[2] then
  return {'invalid', 'OTHER_PRINCIPAL'}
end
if ARGV[2] ~= f[3] then
  return {'invalid', 'OTHER_RUN'}
end
if ARGV[3] ~= f[4] then
  return {'invalid', 'PAYLOAD_CHANGED'}
end
local now = tonumber(ARGV[4])
if (state == 'pending' or state == 'approved') and now > tonumber(f[5]) then
  state = 'expired'
end
if state == 'redeemed' then
  if not f[9] or ARGV[6] ~= '1' or ARGV[7] ~= f[9] then
    return {'invalid', 'USED'}
  end
  if now > tonumber(f[5]) then
    return {'invalid', 'EXPIRED'}
  end
  redis.call('HSET', KEYS[1], 'redeemed_by', ARGV[5])
  return {'ok', f[8], 'redeemed', f[6] or '', f[7] or '', '1'}
end
if state == 'rejected' then
  return {'invalid', 'REJECTED'}
end
if state == 'expired' then
  return {'invalid', 'EXPIRED'}
end
if state == 'pending' then
  return {'invalid', 'PENDING'}
end
redis.call('HSET', KEYS[1], 'state', 'redeemed', 'redeemed_by', ARGV[5])
if ARGV[6] == '1' then
  redis.call('HSET', KEYS[1], 'redeemed_scope', ARGV[7])
else
  redis.call('HDEL', KEYS[1], 'redeemed_scope')
end
return {'ok', f[8], 'redeemed', f[6] or '', f[7] or '', '0'}
