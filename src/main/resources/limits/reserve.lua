-- reserve.lua: kill switches, rate limits and budget reservation of one call, all or nothing.
--
-- KEYS[1]                 the tenant's kill switch hash (field -> reason)
-- KEYS[2]                 the reservation hash to create (budget key -> amount, "gen:" .. budget key -> ledger
--                         generation, "lease" -> lease expiry in microseconds)
-- KEYS[3]                 the tenant's leases sorted set (member: reservation id, score: lease expiry in microseconds)
-- KEYS[4 .. 3+R]          the R rate limit keys (string: GCRA theoretical arrival time in microseconds)
-- KEYS[4+R .. 3+R+B]      the B budget ledgers (hash: cap, spent, reserved, gen)
--
-- ARGV[1]  now, microseconds since the epoch      ARGV[2]  lease expiry, microseconds since the epoch
-- ARGV[3]  lease, milliseconds                    ARGV[4]  "1" for a dry run (write nothing), else "0"
-- ARGV[5]  reservation id (the leases member)     ARGV[6], ARGV[7], ARGV[8]  K kill fields, R, B
-- then K kill fields, then per rate limit: emission interval (microseconds), burst;
-- then per budget: cap, amount (integer micro-dollars), ledger expiry (milliseconds since the epoch)
--
-- Returns one of
--   {"killed", field, reason}
--   {"limited", index (0-based), retry after (us), then per rate limit: remaining, reset (us)}   (nothing taken)
--   {"over", index (0-based), cap, spent, reserved}
--   {"reserved", per rate limit: remaining, reset (us), then per budget: cap, spent, reserved}  (after this call)
--
-- Why a script: the checks and the writes must be one atomic step, or two instances could both admit the last
-- micro-dollar of a budget. All keys carry the tenant's hash tag, so they sit in one Redis Cluster slot.
-- Lua numbers are doubles: every value stays below 2^53 (the caller checks amounts), and numbers go back to Redis
-- through string.format('%d'), never tostring (which would print 1.7e+15).

local function int(n)
  return string.format('%d', n)
end

local now = tonumber(ARGV[1])
local lease_at = tonumber(ARGV[2])
local dry = ARGV[4] == '1'
local id = ARGV[5]
local nk, nr, nb = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local a = 9

if nk > 0 then
  local fields = {}
  for i = 1, nk do
    fields[i] = ARGV[a + i - 1]
  end
  local reasons = redis.call('HMGET', KEYS[1], unpack(fields))
  for i = 1, nk do
    if reasons[i] then
      return {'killed', fields[i], reasons[i]}
    end
  end
end
a = a + nk

-- GCRA: a token every T, bursts of up to `burst`: tau = T * (burst - 1) is how far the theoretical arrival time may
-- run ahead of now.
local tats, peek, after = {}, {}, {}
local limited, retry = 0, 0
for i = 1, nr do
  local t, burst = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
  a = a + 2
  local tau = t * (burst - 1)
  local tat = math.max(tonumber(redis.call('GET', KEYS[3 + i]) or now), now)
  peek[2 * i - 1] = math.max(0, math.floor((tau + t - (tat - now)) / t))
  peek[2 * i] = tat - now
  if tat - now > tau then
    if limited == 0 then
      limited, retry = i, tat - now - tau
    end
  else
    local new_tat = tat + t
    tats[i] = new_tat
    after[2 * i - 1] = math.floor((tau + t - (new_tat - now)) / t)
    after[2 * i] = new_tat - now
  end
end
if limited > 0 then
  local reply = {'limited', limited - 1, retry}
  for i = 1, 2 * nr do
    reply[3 + i] = peek[i]
  end
  return reply
end

local budgets = {}
for j = 1, nb do
  local key = KEYS[3 + nr + j]
  local cap, amount, expires = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), ARGV[a + 2]
  a = a + 3
  local v = redis.call('HMGET', key, 'spent', 'reserved', 'gen')
  local spent, reserved = tonumber(v[1] or 0), tonumber(v[2] or 0)
  if spent + reserved + amount > cap then
    return {'over', j - 1, cap, spent, reserved}
  end
  budgets[j] = {key = key, cap = cap, amount = amount, expires = expires, spent = spent, reserved = reserved,
                gen = v[3] or '0'}
end

if not dry then
  if redis.call('EXISTS', KEYS[2]) == 1 then
    return redis.error_reply('ERR reservation ' .. id .. ' exists')
  end
  for i = 1, nr do
    local ttl = math.ceil((tats[i] - now) / 1000) + 1000
    redis.call('SET', KEYS[3 + i], int(tats[i]), 'PX', int(ttl))
  end
  local latest = nil
  for j = 1, nb do
    local b = budgets[j]
    redis.call('HINCRBY', b.key, 'reserved', int(b.amount))
    redis.call('HSET', b.key, 'cap', int(b.cap))
    redis.call('PEXPIREAT', b.key, b.expires)
    redis.call('HSET', KEYS[2], b.key, int(b.amount), 'gen:' .. b.key, b.gen)
    if latest == nil or tonumber(b.expires) > tonumber(latest) then
      latest = b.expires
    end
  end
  redis.call('HSET', KEYS[2], 'lease', int(lease_at))
  -- a reservation is worth nothing once its ledgers are gone; without ledgers it lives as long as its lease
  if latest then
    redis.call('PEXPIREAT', KEYS[2], latest)
  else
    redis.call('PEXPIRE', KEYS[2], ARGV[3])
  end
  redis.call('ZADD', KEYS[3], int(lease_at), id)
end

local reply = {'reserved'}
for i = 1, 2 * nr do
  reply[1 + i] = after[i]
end
for j = 1, nb do
  local b = budgets[j]
  reply[1 + 2 * nr + 3 * j - 2] = b.cap
  reply[1 + 2 * nr + 3 * j - 1] = b.spent
  reply[1 + 2 * nr + 3 * j] = b.reserved + b.amount
end
return reply
