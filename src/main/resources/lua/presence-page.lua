-- One page of online users in user-id order, from the online index (never KEYS or SCAN, so the cost does
-- not depend on unrelated keys). Users whose presence key is gone (pod died, not yet swept) are skipped.
-- KEYS: 1 online index
-- ARGV: 1 presence key prefix  2 start ('-' or '(' .. last id of the previous page)  3 page size
-- Returns { users, next start or '' when the index is exhausted }.
local limit = tonumber(ARGV[3])
local start = ARGV[2]
local users = {}
for _ = 1, 20 do
  local want = limit - #users
  local batch = redis.call('ZRANGEBYLEX', KEYS[1], start, '+', 'LIMIT', 0, want)
  for _, user in ipairs(batch) do
    if redis.call('EXISTS', ARGV[1] .. user) == 1 then
      users[#users + 1] = user
    end
    start = '(' .. user
  end
  if #batch < want then
    return { users, '' }
  end
  if #users >= limit then
    return { users, start }
  end
end
return { users, start }
