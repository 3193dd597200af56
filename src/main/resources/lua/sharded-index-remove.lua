-- Redis Cluster: removes a user who went offline from one bucket of the presence indexes, unless the entry is newer
-- than the session that ended (the user came back meanwhile, through another pod).
-- KEYS: 1 online bucket  2 expiry bucket
-- ARGV: 1 user id  2 the ended session's latest expiry ms
local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
if score and tonumber(score) > tonumber(ARGV[2]) then
  return 0
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
