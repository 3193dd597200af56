-- Records a message in its stream's history and publishes it, as one atomic step
-- (docs/protocol.md#protocol-v2-history-and-recovery): the order of a stream's history is the order in which every pod
-- receives it live, and a message is either recorded and published or neither. The service's REST API runs this script;
-- services that publish through Redis run it too (docs/protocol.md, "Recording through Redis"):
--
--   EVALSHA <sha1> 2 {realtime:user:<id>}:history {realtime:user:<id>}:meta <payload> <size> <ttl-ms> PUBLISH
--
-- KEYS[1] {<channel>}:history  list of the kept payloads, oldest first
-- KEYS[2] {<channel>}:meta     hash: epoch, top (the stream's latest offset)
-- ARGV[1] the payload
-- ARGV[2] how many messages the stream keeps (realtime.history.size or .broadcast-size; 0 keeps none)
-- ARGV[3] how long the stream lives after its latest message, in ms (realtime.history.ttl)
-- ARGV[4] PUBLISH, or SPUBLISH for a user stream on a Redis Cluster
--
-- Publishes on <channel> the byte 0xFF, then "<epoch>:<offset>:", then the payload (0xFF never occurs in UTF-8,
-- so no plain text payload can look recorded), and answers {epoch, offset}.

local history, meta = KEYS[1], KEYS[2]
local payload, size, ttl, publish = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]

local channel = history and string.match(history, '^{(.+)}:history$')
if not channel or meta ~= '{' .. channel .. '}:meta' then
  return redis.error_reply('ERR keys must be {<channel>}:history and {<channel>}:meta')
end
if not payload or not size or size < 0 or size % 1 ~= 0 or not ttl or ttl < 1 or ttl % 1 ~= 0
    or (publish ~= 'PUBLISH' and publish ~= 'SPUBLISH') then
  return redis.error_reply('ERR arguments must be <payload> <size: 0 or more> <ttl-ms: 1 or more> PUBLISH|SPUBLISH')
end

local epoch = redis.call('HGET', meta, 'epoch')
if not epoch then
  -- The stream is new, or its history was lost (expired, flushed, another Redis): a new epoch, so that no
  -- client mistakes the new offsets for the old ones.
  local now = redis.call('TIME')
  epoch = string.format('%x%05x', tonumber(now[1]), tonumber(now[2]))
  redis.call('DEL', history)
  redis.call('HSET', meta, 'epoch', epoch)
end
local offset = redis.call('HINCRBY', meta, 'top', 1)
if size > 0 then
  redis.call('RPUSH', history, payload)
  redis.call('LTRIM', history, -size, -1)
  redis.call('PEXPIRE', history, ttl)
else
  redis.call('DEL', history)
end
redis.call('PEXPIRE', meta, ttl)
redis.call(publish, channel, '\255' .. epoch .. ':' .. offset .. ':' .. payload)
return { epoch, offset }
