-- open.lua: stores a new approval request, pending, and lists it among the tenant's pending requests, unless the same
-- call waits already or the agent has too many requests waiting.
--
-- KEYS[1]   the request's hash (tg:{tenant}:approval:<id>)
-- KEYS[2]   the tenant's pending requests (sorted set; member: id, score: creation time in microseconds)
-- KEYS[3]   the agent's requests (sorted set; member: id, score: expiry in microseconds)
-- KEYS[4]   the call the request is for (string: the id of the request opened for it)
--
-- ARGV[1]   the id                              ARGV[2]   the JSON document of the unchanging fields
-- ARGV[3]   the agent whose call waits          ARGV[4]   its run ("" when none)
-- ARGV[5]   the payload SHA-256                 ARGV[6]   the tool
-- ARGV[7]   sign-offs needed (1 or 2)           ARGV[8]   "1" when the tool is irreversible, else "0"
-- ARGV[9]   creation, microseconds since the epoch (the time of the call: "now")
-- ARGV[10]  expiry, microseconds since the epoch
-- ARGV[11]  when the keys expire, milliseconds since the epoch (the expiry plus a day, so that a decided or redeemed
--           request stays readable)
-- ARGV[12]  how many pending requests the agent may have
-- ARGV[13]  the prefix of a request's hash key (tg:{tenant}:approval:)
--
-- Returns {1} when stored; {0} when a request with this id exists; {2, id, expiry} when a pending, unexpired request
-- was opened for the same call (nothing is written); {3, n} when the agent has n >= ARGV[12] pending, unexpired
-- requests (nothing is written).
--
-- Why a script: the hash and its entry in the pending set are written together, so that the set never lists a request
-- that does not exist, and an id is never opened twice; the same call and the bound are checked in the same step, so
-- that retries racing open one request and an agent racing itself cannot pass the bound. The fields the other scripts
-- check (agent, run, payload, tool, needed, irreversible, expires_at) are stored beside the document, so that no script
-- parses it: a preview is arbitrary JSON that Lua's cjson would not re-encode faithfully. Every key carries the
-- tenant's hash tag.

if redis.call('EXISTS', KEYS[1]) == 1 then
  return {0}
end
local now = tonumber(ARGV[9])
local same = redis.call('GET', KEYS[4])
if same then
  local waiting = redis.call('HMGET', ARGV[13] .. same, 'state', 'expires_at')
  if waiting[1] == 'pending' and tonumber(waiting[2]) > now then
    return {2, same, waiting[2]}
  end
end
-- the agent's requests still waiting; those decided, redeemed or expired are forgotten here
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
local waiting = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  if redis.call('HGET', ARGV[13] .. id, 'state') == 'pending' then
    waiting = waiting + 1
  else
    redis.call('ZREM', KEYS[3], id)
  end
end
if waiting >= tonumber(ARGV[12]) then
  return {3, waiting}
end
redis.call('HSET', KEYS[1], 'doc', ARGV[2], 'state', 'pending', 'agent', ARGV[3], 'run', ARGV[4],
  'payload', ARGV[5], 'tool', ARGV[6], 'needed', ARGV[7], 'irreversible', ARGV[8], 'expires_at', ARGV[10])
redis.call('PEXPIREAT', KEYS[1], ARGV[11])
redis.call('ZADD', KEYS[2], ARGV[9], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[10], ARGV[1])
redis.call('SET', KEYS[4], ARGV[1], 'PXAT', math.floor(tonumber(ARGV[10]) / 1000) + 1)
-- the sets live as long as their longest-lived request: never shorten them, always cover this one
local keep = tonumber(ARGV[11]) - math.floor(now / 1000)
for _, set in ipairs({KEYS[2], KEYS[3]}) do
  if redis.call('PTTL', set) < keep then
    redis.call('PEXPIREAT', set, ARGV[11])
  end
end
return {1}
