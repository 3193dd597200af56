-- Marks one connection alive and the user online (open, pong, app-level ping, re-assert after an outage).
-- KEYS: 1 presence:<user>  2 conns:<user> (zset member -> expiry ms)  3 online index (zset, lex)  4 expiry index (zset user -> expiry ms)
-- ARGV: 1 connection member  2 ttl ms  3 user id  4 presence events channel
-- Returns 1 when the user went from offline to online (the online event was published), else 0.
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
local last = tonumber(redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')[2])
redis.call('PEXPIREAT', KEYS[2], last)
redis.call('SET', KEYS[1], now, 'PX', last - now)
redis.call('ZADD', KEYS[4], last, ARGV[3])
if redis.call('ZADD', KEYS[3], 0, ARGV[3]) == 1 then
  redis.call('PUBLISH', ARGV[4], '{"type":"presence","userId":"' .. ARGV[3] .. '","online":true,"at":' .. now .. '}')
  return 1
end
return 0
