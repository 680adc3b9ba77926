-- decide.lua: records one approver's sign-off or rejection of a pending request, after every rule holds.
--
-- KEYS[1]   the request's hash (see open.lua)
-- KEYS[2]   the tenant's pending requests (sorted set of ids)
--
-- ARGV[1]   the id                              ARGV[2]   the approver (a principal's agent id)
-- ARGV[3]   "1" to sign off, "0" to reject      ARGV[4]   "1" when the approver sent the payload hash reviewed
-- ARGV[5]   the payload hash reviewed ("" when none)
-- ARGV[6]   now, microseconds since the epoch
--
-- Returns {"refused", cause}, cause one of NOT_FOUND, EXPIRED, NOT_PENDING, SELF_APPROVAL, SAME_APPROVER,
-- PAYLOAD_HASH_REQUIRED, PAYLOAD_HASH_MISMATCH (nothing written); or {"recorded", document, state, approvers (JSON
-- array), rejected_by ("" when none)}, the request after the decision.
--
-- The rules, in this order (ApprovalRules.decide is the same in Java): a pending or approved request past its expiry
-- is expired; only a pending one is decided; never by the agent whose call waits; never twice by one approver (dual
-- needs two distinct ones); signing off an irreversible call needs the reviewed payload hash, equal to the request's.
-- A rejection ends the request; a sign-off approves it once it has the sign-offs it needs. A request that leaves
-- pending leaves the pending set.
--
-- Why a script: two approvers signing at once must both be counted, and one approver signing twice at once must be
-- counted once; the checks and the write are one atomic step. Both keys carry the tenant's hash tag.

local f = redis.call('HMGET', KEYS[1], 'state', 'agent', 'payload', 'needed', 'irreversible', 'expires_at',
  'approvers', 'rejected_by', 'doc')
local state = f[1]
if not state then
  return {'refused', 'NOT_FOUND'}
end
local approver, approve, now = ARGV[2], ARGV[3] == '1', tonumber(ARGV[6])
if (state == 'pending' or state == 'approved') and now > tonumber(f[6]) then
  state = 'expired'
end
if state == 'expired' then
  return {'refused', 'EXPIRED'}
end
if state ~= 'pending' then
  return {'refused', 'NOT_PENDING'}
end
if approver == f[2] then
  return {'refused', 'SELF_APPROVAL'}
end
local approvers = {}
if f[7] then
  approvers = cjson.decode(f[7])
end
for i = 1, #approvers do
  if approvers[i] == approver then
    return {'refused', 'SAME_APPROVER'}
  end
end
local rejected_by = ''
if not approve then
  state = 'rejected'
  rejected_by = approver
  redis.call('HSET', KEYS[1], 'state', state, 'rejected_by', approver)
else
  if f[5] == '1' then
    if ARGV[4] ~= '1' then
      return {'refused', 'PAYLOAD_HASH_REQUIRED'}
    end
    if ARGV[5] ~= f[3] then
      return {'refused', 'PAYLOAD_HASH_MISMATCH'}
    end
  end
  approvers[#approvers + 1] = approver
  if #approvers >= tonumber(f[4]) then
    state = 'approved'
  end
  redis.call('HSET', KEYS[1], 'state', state, 'approvers', cjson.encode(approvers))
end
if state ~= 'pending' then
  redis.call('ZREM', KEYS[2], ARGV[1])
end
local signed = '[]'
if #approvers > 0 then
  signed = cjson.encode(approvers)
end
return {'recorded', f[9], state, signed, rejected_by}
