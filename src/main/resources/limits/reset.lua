-- reset.lua: sets a budget ledger's spent and reserved to zero.
--
-- KEYS[1]   the budget ledger (hash: cap, spent, reserved, gen)
--
-- Returns 1 when the ledger existed, 0 otherwise (nothing to reset; no ledger is created).
--
-- The ledger's generation moves on, so that reservations taken before the reset settle into nothing: they neither
-- give back reserved amounts that are no longer there nor add their spend to the fresh ledger. The cap and the
-- expiry stay. Why a script: the reset must not interleave with a reservation's read-check-write.

if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[1], 'spent', '0', 'reserved', '0')
redis.call('HINCRBY', KEYS[1], 'gen', 1)
return 1
