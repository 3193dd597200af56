-- Removes one closed connection; the user goes offline only when no live connection is left on any pod.
-- KEYS: 1 presence:<user>  2 conns:<user>  3 online index  4 expiry index
-- ARGV: 1 connection member  2 user id  3 presence events channel
-- Returns the number of the user's live connections left, cluster-wide.
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
if #last == 0 then
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('ZREM', KEYS[4], ARGV[2])
  if redis.call('ZREM', KEYS[3], ARGV[2]) == 1 then
    redis.call('PUBLISH', ARGV[3], '{"type":"presence","userId":"' .. ARGV[2] .. '","online":false,"at":' .. now .. '}')
  end
  return 0
end
local expiry = tonumber(last[2])
redis.call('PEXPIREAT', KEYS[2], expiry)
if redis.call('PEXPIREAT', KEYS[1], expiry) == 0 then
  redis.call('SET', KEYS[1], now, 'PX', expiry - now)
end
redis.call('ZADD', KEYS[4], expiry, ARGV[2])
return redis.call('ZCARD', KEYS[2])
