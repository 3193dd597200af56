-- Redis Cluster: the users of one index bucket that the sweeper should look at now.
-- KEYS: 1 expiry bucket
-- ARGV: 1 batch size
-- Returns { user, due ms, user, due ms, ... }.
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[1]))
