-- Redis Cluster: marks one connection alive and the user online; every key is in the slot of presence:<user>.
-- KEYS: 1 presence:<user>  2 conns (zset member -> expiry ms)  3 index marker (present while the index entry is fresh)
-- ARGV: 1 connection member  2 ttl ms  3 user id  4 presence events channel
-- Returns { state, latest expiry ms }: state 2 = the user came online (online event published; add to the index),
-- 1 = the index entry is due for a refresh, 0 = nothing more to do.
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local ttl = tonumber(ARGV[2])
-- The connection set outlives the user's last connection by a TTL: while it exists, the user counts as announced.
local announced = redis.call('EXISTS', KEYS[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])
local last = tonumber(redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')[2])
redis.call('PEXPIREAT', KEYS[2], last + ttl)
redis.call('SET', KEYS[1], now, 'PX', last - now)
local state = 0
if announced == 0 then
  redis.call('PUBLISH', ARGV[4], '{"type":"presence","userId":"' .. ARGV[3] .. '","online":true,"at":' .. now .. '}')
  state = 2
end
if redis.call('SET', KEYS[3], '1', 'NX', 'PX', math.max(1, math.floor(ttl / 2))) and state == 0 then
  state = 1
end
return { state, last }
