-- Redis Cluster: removes one closed connection; every key is in the slot of presence:<user>.
-- KEYS: 1 presence:<user>  2 conns  3 index marker
-- ARGV: 1 connection member  2 user id  3 presence events channel  4 ttl ms
-- Returns { live connections left cluster-wide, the ended session's latest expiry when the user went offline
-- (remove the index entry if it is not newer), else -1 }.
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local announced = redis.call('EXISTS', KEYS[2])
local top = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
if #last == 0 then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  if announced == 1 then
    redis.call('PUBLISH', ARGV[3], '{"type":"presence","userId":"' .. ARGV[2] .. '","online":false,"at":' .. now .. '}')
    return { 0, tonumber(top[2]) }
  end
  return { 0, -1 }
end
local expiry = tonumber(last[2])
redis.call('PEXPIREAT', KEYS[2], expiry + tonumber(ARGV[4]))
if redis.call('PEXPIREAT', KEYS[1], expiry) == 0 then
  redis.call('SET', KEYS[1], now, 'PX', expiry - now)
end
return { redis.call('ZCARD', KEYS[2]), -1 }
