-- Redis Cluster: adds a user to one bucket of the presence indexes (both keys in the bucket's slot).
-- KEYS: 1 online bucket (zset, lex)  2 expiry bucket (zset user -> when the sweeper looks at the user again)
-- ARGV: 1 user id  2 expiry ms (never lowers an entry: a late write from an older session cannot hide a newer one)
redis.call('ZADD', KEYS[2], 'GT', ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[1], 0, ARGV[1])
return 1
