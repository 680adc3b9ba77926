-- redeem.lua: consumes an approved request for the call it was opened for, once.
--
-- KEYS[1]   the request's hash (see open.lua)
--
-- ARGV[1]   the agent of the call               ARGV[2]   its run ("" when none)
-- ARGV[3]   its payload SHA-256                 ARGV[4]   now, microseconds since the epoch
--
-- Returns {"invalid", cause}, cause one of NOT_FOUND, OTHER_PRINCIPAL, OTHER_RUN, PAYLOAD_CHANGED, USED, REJECTED,
-- EXPIRED, PENDING (nothing written); or {"ok", document, "redeemed", approvers (JSON array), rejected_by}.
--
-- The rules, in this order (ApprovalRules.redeem is the same in Java): the call must be the request's agent, run and
-- payload (checked first, so that another call learns nothing of the request's state); then the request must be
-- approved and unexpired. It becomes redeemed; the key keeps its expiry, so the record stays readable.
--
-- Why a script: of two retries redeeming at once exactly one may pass; the check and the write are one atomic step.

local f = redis.call('HMGET', KEYS[1], 'state', 'agent', 'run', 'payload', 'expires_at', 'approvers',
  'rejected_by', 'doc')
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
if (state == 'pending' or state == 'approved') and tonumber(ARGV[4]) > tonumber(f[5]) then
  state = 'expired'
end
if state == 'redeemed' then
  return {'invalid', 'USED'}
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
redis.call('HSET', KEYS[1], 'state', 'redeemed')
return {'ok', f[8], 'redeemed', f[6] or '', f[7] or ''}
