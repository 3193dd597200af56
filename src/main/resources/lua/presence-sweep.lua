-- Takes users offline whose every connection expired without a close (their pod died). Run by every pod
-- now and then; atomic, so each offline event is published once however many pods sweep.
-- KEYS: 1 online index  2 expiry index
-- ARGV: 1 presence key prefix  2 conns key prefix  3 presence events channel  4 batch size
-- Returns the number of users taken offline.
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local users = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[4]))
local offline = 0
for _, user in ipairs(users) do
  local conns = ARGV[2] .. user
  redis.call('ZREMRANGEBYSCORE', conns, '-inf', now)
  local last = redis.call('ZRANGE', conns, -1, -1, 'WITHSCORES')
  if #last == 0 then
    redis.call('DEL', ARGV[1] .. user, conns)
    redis.call('ZREM', KEYS[2], user)
    if redis.call('ZREM', KEYS[1], user) == 1 then
      redis.call('PUBLISH', ARGV[3], '{"type":"presence","userId":"' .. user .. '","online":false,"at":' .. now .. '}')
    end
    offline = offline + 1
  else
    redis.call('ZADD', KEYS[2], tonumber(last[2]), user)
  end
end
return offline
