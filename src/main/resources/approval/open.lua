-- open.lua: stores a new approval request, pending, and lists it among the tenant's pending requests.
--
-- KEYS[1]   the request's hash (tg:{tenant}:approval:<id>)
-- KEYS[2]   the tenant's pending requests (sorted set; member: id, score: creation time in microseconds)
--
-- ARGV[1]   the id                              ARGV[2]   the JSON document of the unchanging fields
-- ARGV[3]   the agent whose call waits          ARGV[4]   its run ("" when none)
-- ARGV[5]   the payload SHA-256                 ARGV[6]   the tool
-- ARGV[7]   sign-offs needed (1 or 2)           ARGV[8]   "1" when the tool is irreversible, else "0"
-- ARGV[9]   creation, microseconds since the epoch
-- ARGV[10]  expiry, microseconds since the epoch
-- ARGV[11]  when the keys expire, milliseconds since the epoch (the expiry plus a day, so that a decided or redeemed
--           request stays readable)
--
-- Returns 1, or 0 when a request with this id exists (nothing is written).
--
-- Why a script: the hash and its entry in the pending set are written together, so that the set never lists a request
-- that does not exist, and an id is never opened twice. The fields the other scripts check (agent, run, payload,
-- tool, needed, irreversible, expires_at) are stored beside the document, so that no script parses it: a preview is
-- arbitrary JSON that Lua's cjson would not re-encode faithfully. Both keys carry the tenant's hash tag.

if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'doc', ARGV[2], 'state', 'pending', 'agent', ARGV[3], 'run', ARGV[4],
  'payload', ARGV[5], 'tool', ARGV[6], 'needed', ARGV[7], 'irreversible', ARGV[8], 'expires_at', ARGV[10])
redis.call('PEXPIREAT', KEYS[1], ARGV[11])
redis.call('ZADD', KEYS[2], ARGV[9], ARGV[1])
-- the pending set lives as long as its longest-lived request: never shorten it, always cover this one
local keep = tonumber(ARGV[11]) - math.floor(tonumber(ARGV[9]) / 1000)
local ttl = redis.call('PTTL', KEYS[2])
if ttl < keep then
  redis.call('PEXPIREAT', KEYS[2], ARGV[11])
end
return 1
