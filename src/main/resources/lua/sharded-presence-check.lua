-- Redis Cluster, the sweeper: looks at one user whose index entry fell due; every key is in the slot of presence:<user>.
-- Takes the user offline when every connection expired without a close (their pod died); atomic, so the offline
-- event is published once however many pods sweep.
-- KEYS: 1 presence:<user>  2 conns  3 index marker
-- ARGV: 1 user id  2 presence events channel  3 the index entry's due time (ms)
-- Returns { 1, latest expiry } while the user is online, else { 0, time up to which the index entry may be removed }.
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('DEL', KEYS[1], KEYS[3])
  return { 0, tonumber(ARGV[3]) }
end
local top = tonumber(redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
if #last == 0 then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  redis.call('PUBLISH', ARGV[2], '{"type":"presence","userId":"' .. ARGV[1] .. '","online":false,"at":' .. now .. '}')
  return { 0, math.max(top, tonumber(ARGV[3])) }
end
return { 1, tonumber(last[2]) }
