-- Reads a stream's position and what it keeps after a given position, atomically
-- (docs/protocol.md#protocol-v2-history-and-recovery).
--
-- KEYS[1] {<channel>}:history, KEYS[2] {<channel>}:meta (as in history-record.lua)
-- ARGV[1] the epoch of the position to read after ('' = from the stream's start in its current epoch)
-- ARGV[2] the offset of that position
-- ARGV[3] at most this many messages (-1: every kept one; 0: the position only)
-- ARGV[4] the stream's ttl in ms, for a stream this read creates
--
-- Answers {epoch, top, from, recovered, payload...}: the payloads are those of offsets from, from + 1, ...;
-- recovered is 1 when the epoch matches and nothing after the position has been trimmed or expired.
-- Another epoch reads everything kept; a position past top reads nothing. A stream that does not exist is
-- created (new epoch, top 0), so that the position a client is given stays valid when messages follow.

local history, meta = KEYS[1], KEYS[2]
local sinceEpoch, since, limit, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])

local epoch = redis.call('HGET', meta, 'epoch')
if not epoch then
  local now = redis.call('TIME')
  epoch = string.format('%x%05x', tonumber(now[1]), tonumber(now[2]))
  redis.call('DEL', history)
  redis.call('HSET', meta, 'epoch', epoch, 'top', 0)
  redis.call('PEXPIRE', meta, ttl)
end
local top = tonumber(redis.call('HGET', meta, 'top') or '0')
local first = top - redis.call('LLEN', history) + 1

if sinceEpoch == '' then
  sinceEpoch, since = epoch, 0
end
local from, recovered = first, 0
if sinceEpoch == epoch then
  if since > top then
    from = top + 1
  elseif since + 1 >= first then
    from, recovered = since + 1, 1
  end
end

local last = top
if limit >= 0 and from + limit - 1 < last then
  last = from + limit - 1
end
local answer = { epoch, top, from, recovered }
if last >= from then
  local kept = redis.call('LRANGE', history, from - first, last - first)
  for i = 1, #kept do
    answer[#answer + 1] = kept[i]
  end
end
return answer
