// The Lua scripts the Redis store runs server-side, so a history query or a prune slice is one round trip.
//
// Keys, under the store's prefix P (passed as ARGV[1] where a script builds keys itself):
//   P rec          hash: msgid -> the record as a JSON array (redis.ts, encode())
//   P c:<conv>     sorted set of the conversation's visible msgids, score = time (ms); equal
//                  scores sort by member, and msgids sort by time then sequence (stamp.ts), so
//                  rank order is acceptance order
//   P r:<conv>     sorted set of its redacted msgids (same scores): gone from queries, still
//                  counted by prune, found by find() through P rec
//   P pc:<ident>   set of the private conversations of a history identity (TARGETS)
//   P convs        set of every conversation with a key above (prune walks it with SSCAN)
// Scripts build some keys from data (the conversations TARGETS and prune visit), so they suit a
// single Redis (with replicas), not Redis Cluster.
//
// Lua's `<` on strings follows the server's LC_COLLATE (Redis sets it from the environment),
// while sorted sets order members by bytes: msgids are compared by bytes here too (lt).

const LT = `
local function lt(x, y)
  local n = math.min(#x, #y)
  for i = 1, n do
    local a, b = string.byte(x, i), string.byte(y, i)
    if a ~= b then return a < b end
  end
  return #x < #y
end
`;

/** HMGET in slices: Lua's unpack() stops at a few thousand values. */
const RECORDS = `
local function records(rec, ids)
  local out = {}
  for i = 1, #ids, 500 do
    local part = redis.call('HMGET', rec, unpack(ids, i, math.min(i + 499, #ids)))
    for j = 1, #part do out[#out + 1] = part[j] end
  end
  return out
end
`;

/**
 * A history range. KEYS: P c:<conv>, P rec. ARGV: op, limit, then one or two bounds as kind
 * ('m' msgid, 't' time) and value. Index arithmetic over ranks, as memory.ts does over its list:
 * after() is the rank of the first member strictly after a bound, before() the rank of the first
 * member not before it; -1 for a msgid that is not a visible member of this conversation.
 * Answers the records' JSON, oldest first (a missing one as nil, left out by the caller).
 */
export const RANGE_LUA = `${RECORDS}
local c, rec = KEYS[1], KEYS[2]
local op, limit = ARGV[1], tonumber(ARGV[2])
local function after(kind, v)
  if kind == 'm' then
    local r = redis.call('ZRANK', c, v)
    if not r then return -1 end
    return r + 1
  end
  return redis.call('ZCOUNT', c, '-inf', v)
end
local function before(kind, v)
  if kind == 'm' then
    local r = redis.call('ZRANK', c, v)
    if not r then return -1 end
    return r
  end
  return redis.call('ZCOUNT', c, '-inf', '(' .. v)
end
local function fetch(s, e)
  if e <= s then return {} end
  local ids = redis.call('ZRANGE', c, s, e - 1)
  if #ids == 0 then return {} end
  return records(rec, ids)
end
local half = math.floor(limit / 2)
if op == 'latest' then
  local n = redis.call('ZCARD', c)
  local from = 0
  if ARGV[3] then from = after(ARGV[3], ARGV[4]) end
  if from < 0 then return {} end
  return fetch(math.max(from, n - limit), n)
elseif op == 'before' then
  local e = before(ARGV[3], ARGV[4])
  if e < 0 then return {} end
  return fetch(math.max(0, e - limit), e)
elseif op == 'after' then
  local s = after(ARGV[3], ARGV[4])
  if s < 0 then return {} end
  return fetch(s, s + limit)
elseif op == 'around' then
  local m = before(ARGV[3], ARGV[4])
  if m < 0 then return {} end
  local s = math.max(0, m - half)
  return fetch(s, s + limit)
elseif op == 'between' then
  local aa, ab = after(ARGV[3], ARGV[4]), after(ARGV[5], ARGV[6])
  if aa < 0 or ab < 0 then return {} end
  if aa <= ab then
    return fetch(aa, math.min(before(ARGV[5], ARGV[6]), aa + limit))
  end
  local e = before(ARGV[3], ARGV[4])
  return fetch(math.max(ab, e - limit), e)
end
return redis.error_reply('unknown range ' .. op)
`;

/**
 * CHATHISTORY TARGETS. ARGV: P, me, lo, hi (exclusive, lo < hi), limit, channels... Answers
 * conversation and record JSON pairs, by the latest msgid ascending.
 */
export const TARGETS_LUA = `${LT}
local P, me, lo, hi, limit = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local names, rows = {}, {}
for i = 6, #ARGV do names[ARGV[i]] = true end
for _, conv in ipairs(redis.call('SMEMBERS', P .. 'pc:' .. me)) do names[conv] = true end
for conv in pairs(names) do
  local top = redis.call('ZRANGE', P .. 'c:' .. conv, -1, -1, 'WITHSCORES')
  if #top == 2 then
    local t = tonumber(top[2])
    if t > lo and t < hi then rows[#rows + 1] = { top[1], conv } end
  end
end
table.sort(rows, function(x, y) return lt(x[1], y[1]) end)
local out = {}
for i = 1, math.min(limit, #rows) do
  out[#out + 1] = rows[i][2]
  out[#out + 1] = redis.call('HGET', P .. 'rec', rows[i][1])
end
return out
`;

/**
 * A run of appends. ARGV: P, then msgid, time, conversation and JSON per record. Idempotent by
 * msgid (every node of a cluster appends the channel messages it replays: they are kept once),
 * and a msgid already redacted stays so.
 */
export const APPEND_LUA = `
local P = ARGV[1]
local rec, seen = P .. 'rec', {}
for i = 2, #ARGV, 4 do
  local id, conv = ARGV[i], ARGV[i + 2]
  redis.call('HSET', rec, id, ARGV[i + 3])
  if not redis.call('ZSCORE', P .. 'r:' .. conv, id) then
    redis.call('ZADD', P .. 'c:' .. conv, ARGV[i + 1], id)
  end
  if not seen[conv] then
    seen[conv] = true
    redis.call('SADD', P .. 'convs', conv)
    local sp = string.find(conv, ' ', 1, true)
    if sp then
      redis.call('SADD', P .. 'pc:' .. string.sub(conv, 1, sp - 1), conv)
      redis.call('SADD', P .. 'pc:' .. string.sub(conv, sp + 1), conv)
    end
  end
end
return 1
`;

/** The conversation of a record's JSON (its third field), or nil when it cannot be read. */
const CONVERSATION = `
local function conversation(json)
  local ok, r = pcall(cjson.decode, json)
  if ok and type(r) == 'table' and type(r[3]) == 'string' then return r[3] end
  return nil
end
`;

/** Redact one msgid. ARGV: P, msgid. Moves it from c:<conv> to r:<conv>; unknown: nothing. */
export const REDACT_LUA = `${CONVERSATION}
local P, id = ARGV[1], ARGV[2]
local json = redis.call('HGET', P .. 'rec', id)
if not json then return 0 end
local conv = conversation(json)
if not conv then return 0 end
local score = redis.call('ZSCORE', P .. 'c:' .. conv, id)
if not score then return 0 end
redis.call('ZREM', P .. 'c:' .. conv, id)
redis.call('ZADD', P .. 'r:' .. conv, score, id)
return 1
`;

/**
 * Take an inbox. KEYS: P inbox:<account>. ARGV: P. Empties it and answers the JSON of the
 * records still visible (not redacted, not pruned), in order.
 */
export const TAKE_INBOX_LUA = `${CONVERSATION}
local P = ARGV[1]
local ids = redis.call('LRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1])
local out = {}
for _, id in ipairs(ids) do
  local json = redis.call('HGET', P .. 'rec', id)
  local conv = json and conversation(json)
  if conv and redis.call('ZSCORE', P .. 'c:' .. conv, id) then out[#out + 1] = json end
end
return out
`;

/**
 * One slice of a prune. ARGV: P, SSCAN cursor, slice size, max per conversation (-1: no cap),
 * cutoff time ('' : no age limit; older than it goes). Per conversation it drops what is older than
 * the cutoff, then the oldest beyond the cap counting redacted ones (the oldest of c: and r:
 * merged), with their records; a conversation left empty is forgotten. Answers the next cursor.
 */
export const PRUNE_LUA = `${LT}
local P, cursor, count = ARGV[1], ARGV[2], ARGV[3]
local cap, cutoff = tonumber(ARGV[4]), ARGV[5]
local rec = P .. 'rec'
local function drop(key, ids)
  for i = 1, #ids, 500 do
    local part = { unpack(ids, i, math.min(i + 499, #ids)) }
    redis.call('ZREM', key, unpack(part))
    redis.call('HDEL', rec, unpack(part))
  end
end
local function oldest(key, n)
  return redis.call('ZRANGE', key, 0, n - 1, 'WITHSCORES')
end
local scan = redis.call('SSCAN', P .. 'convs', cursor, 'COUNT', count)
for _, conv in ipairs(scan[2]) do
  local c, r = P .. 'c:' .. conv, P .. 'r:' .. conv
  if cutoff ~= '' then
    drop(c, redis.call('ZRANGEBYSCORE', c, '-inf', '(' .. cutoff))
    drop(r, redis.call('ZRANGEBYSCORE', r, '-inf', '(' .. cutoff))
  end
  if cap >= 0 then
    local excess = redis.call('ZCARD', c) + redis.call('ZCARD', r) - cap
    if excess > 0 then
      local a, b = oldest(c, excess), oldest(r, excess)
      local i, j, fromC, fromR = 1, 1, {}, {}
      for _ = 1, excess do
        local takeC
        if i > #a then takeC = false
        elseif j > #b then takeC = true
        else
          local sa, sb = tonumber(a[i + 1]), tonumber(b[j + 1])
          takeC = sa < sb or (sa == sb and lt(a[i], b[j]))
        end
        if takeC then fromC[#fromC + 1] = a[i]; i = i + 2
        else fromR[#fromR + 1] = b[j]; j = j + 2 end
      end
      drop(c, fromC)
      drop(r, fromR)
    end
  end
  if redis.call('EXISTS', c) == 0 and redis.call('EXISTS', r) == 0 then
    redis.call('SREM', P .. 'convs', conv)
    local sp = string.find(conv, ' ', 1, true)
    if sp then
      redis.call('SREM', P .. 'pc:' .. string.sub(conv, 1, sp - 1), conv)
      redis.call('SREM', P .. 'pc:' .. string.sub(conv, sp + 1), conv)
    end
  end
end
return scan[1]
`;
