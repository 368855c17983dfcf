// The Lua scripts of the cluster bus (bus.ts): each runs atomically on Redis, one round trip.

/** How many order places one millisecond holds: the 4 base-36 digits of a msgid's sequence. */
export const ORDER_PER_MS = 36 * 36;

/**
 * Publish ARGV[2] (a message of ARGV[1] entries) on channel ARGV[3], prefixed with
 * "<ms> <seq> ": the first of ARGV[1] places in the network's order, taken from Redis's clock
 * (TIME) and the last place handed out (hash KEYS[1]: ms, seq). Places never go back, even if
 * Redis's clock does; a millisecond holds ORDER_PER_MS of them, then the next one is borrowed.
 * Running in Redis, the places follow the order in which every subscriber receives the messages,
 * so a msgid built from one sorts where its message was delivered, on every node.
 */
export const ORDER = `if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local last = redis.call('HMGET', KEYS[1], 'ms', 'seq')
local seq = 0
local lms = tonumber(last[1])
if lms and ms <= lms then
  ms = lms
  seq = tonumber(last[2]) + 1
end
ms = ms + math.floor(seq / ${ORDER_PER_MS})
seq = seq % ${ORDER_PER_MS}
local e = seq + tonumber(ARGV[1]) - 1
redis.call('HSET', KEYS[1], 'ms', tostring(ms + math.floor(e / ${ORDER_PER_MS})), 'seq', tostring(e % ${ORDER_PER_MS}))
redis.call('PUBLISH', ARGV[3], tostring(ms) .. ' ' .. tostring(seq) .. ' ' .. ARGV[2])
return 1`;

/** Claim ARGV[1] with entry ARGV[2] for node ARGV[3]: 1 when it was free or already this node's. */
export const CLAIM = `local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1 end
if string.sub(v, 1, #ARGV[3] + 1) == ARGV[3] .. '\\t' then return 1 end
return 0`;

export const RELEASE = `local v = redis.call('HGET', KEYS[1], ARGV[1])
if v and string.sub(v, 1, #ARGV[2] + 1) == ARGV[2] .. '\\t' then
  redis.call('HDEL', KEYS[1], ARGV[1]) return 1 end
return 0`;

/** Remove every nick of node ARGV[1] and the node itself; returns the removed entries. */
export const REAP = `local all = redis.call('HGETALL', KEYS[1])
local out = {}
local prefix = ARGV[1] .. '\\t'
for i = 1, #all, 2 do
  if string.sub(all[i + 1], 1, #prefix) == prefix then
    redis.call('HDEL', KEYS[1], all[i]) out[#out + 1] = all[i + 1] end
end
redis.call('SREM', KEYS[2], ARGV[1])
return out`;
