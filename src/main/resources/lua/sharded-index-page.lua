-- Redis Cluster: part of a page of online users from one index bucket, in user-id order.
-- KEYS: 1 online bucket  2 expiry bucket
-- ARGV: 1 start ('-' or '(' .. last id returned)  2 page size
-- Returns { users, flags, next start or '' when the bucket is exhausted }; flag 1 = the entry is past its due time
-- (the user may have gone with a pod that died: the caller checks presence:<user>), 0 = online.
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local limit = tonumber(ARGV[2])
local users = redis.call('ZRANGEBYLEX', KEYS[1], ARGV[1], '+', 'LIMIT', 0, limit)
local flags = {}
for i, user in ipairs(users) do
  local due = redis.call('ZSCORE', KEYS[2], user)
  if due and tonumber(due) >= now then
    flags[i] = 0
  else
    flags[i] = 1
  end
end
if #users < limit then
  return { users, flags, '' }
end
return { users, flags, '(' .. users[#users] }
