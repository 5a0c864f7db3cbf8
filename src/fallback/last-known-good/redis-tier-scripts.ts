/**
 * The Lua scripts of the shared tier: each store and its size accounting happen in one atomic step, so the size cap
 * holds however many instances write at once. Every script takes KEYS[1..3] = the index (sorted set: key → at),
 * the sizes (hash: key → bytes) and the running byte total; `trim` then drops, oldest first, what went past its age
 * or over the cap. Entries are strings `<at>\n<EJSON>` (an empty EJSON is a record known to be absent or deleted).
 * All keys are reached from inside the scripts: a single Redis node (or a replicated one), not Redis Cluster.
 */

const ACCOUNTING = `
local index, sizes, total = KEYS[1], KEYS[2], KEYS[3]

local function account(key, bytes, at)
  local old = tonumber(redis.call('HGET', sizes, key) or '0')
  if bytes > 0 then
    redis.call('HSET', sizes, key, bytes)
    redis.call('ZADD', index, at, key)
  else
    redis.call('HDEL', sizes, key)
    redis.call('ZREM', index, key)
  end
  redis.call('INCRBY', total, bytes - old)
end

local function trim(maxBytes, expiredBefore)
  -- Redis expired these already (PX); drop their accounting, a few per call.
  for _, key in ipairs(redis.call('ZRANGEBYSCORE', index, '-inf', '(' .. expiredBefore, 'LIMIT', 0, 16)) do
    redis.call('DEL', key)
    account(key, 0, 0)
  end
  while tonumber(redis.call('GET', total) or '0') > maxBytes do
    local oldest = redis.call('ZRANGE', index, 0, 0)
    if #oldest == 0 then
      redis.call('SET', total, 0)
      break
    end
    redis.call('DEL', oldest[1])
    account(oldest[1], 0, 0)
  end
end

local function atOf(entry)
  return tonumber(string.match(entry, '^(%d+)'))
end

-- Sets a string entry unless the one there is newer.
local function store(key, entry, at, px)
  local current = redis.call('GET', key)
  if current and (atOf(current) or 0) > tonumber(at) then return 0 end
  redis.call('SET', key, entry, 'PX', px)
  account(key, #entry + #key, at)
  return 1
end
`;

/** KEYS[4] = the entry's key; ARGV = entry, at, px, maxBytes, expiredBefore. */
export const STORE_SCRIPT = `${ACCOUNTING}
local stored = store(KEYS[4], ARGV[1], ARGV[2], ARGV[3])
trim(tonumber(ARGV[4]), ARGV[5])
return stored
`;

/**
 * KEYS[4..7] = the record's key, the collection's last-write stamp, its recent writes (sorted set: id → at), its
 * snapshot; ARGV = entry, at, px (the age limit), maxBytes, expiredBefore, id, the record's EJSON ('' when deleted).
 */
export const WRITTEN_SCRIPT = `${ACCOUNTING}
store(KEYS[4], ARGV[1], ARGV[2], ARGV[3])
local lastWrite = tonumber(redis.call('GET', KEYS[5]) or '0')
if tonumber(ARGV[2]) > lastWrite then redis.call('SET', KEYS[5], ARGV[2], 'PX', ARGV[3]) end
redis.call('ZADD', KEYS[6], 'GT', ARGV[2], ARGV[6])
redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', '(' .. ARGV[5])
redis.call('PEXPIRE', KEYS[6], ARGV[3])
if redis.call('EXISTS', KEYS[7]) == 1 then
  local before = redis.call('HSTRLEN', KEYS[7], ARGV[6])
  if ARGV[7] == '' then
    redis.call('HDEL', KEYS[7], ARGV[6])
  else
    redis.call('HSET', KEYS[7], ARGV[6], ARGV[7])
  end
  if redis.call('HEXISTS', sizes, KEYS[7]) == 1 then
    redis.call('HINCRBY', sizes, KEYS[7], #ARGV[7] - before)
    redis.call('INCRBY', total, #ARGV[7] - before)
  end
end
trim(tonumber(ARGV[4]), ARGV[5])
return 1
`;

/**
 * Replaces the collection's snapshot (a hash: id → record EJSON, ':at' → when its read began) unless a newer one is
 * saved, then applies over it the writes any instance made since its read began.
 * KEYS[4..5] = the snapshot, the recent writes; ARGV = at, px, maxBytes, expiredBefore, the record key prefix,
 * then id, EJSON pairs.
 */
export const SAVE_SNAPSHOT_SCRIPT = `${ACCOUNTING}
local current = redis.call('HGET', KEYS[4], ':at')
if current and tonumber(current) >= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[4])
redis.call('HSET', KEYS[4], ':at', ARGV[1])
local bytes = #KEYS[4]
for i = 6, #ARGV, 2 do
  redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1])
  bytes = bytes + #ARGV[i] + #ARGV[i + 1]
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[5], '(' .. ARGV[1], '+inf')) do
  local entry = redis.call('GET', ARGV[5] .. id)
  if entry then
    local value = string.match(entry, '^%d+\\n(.*)$') or ''
    if value == '' then
      redis.call('HDEL', KEYS[4], id)
    else
      redis.call('HSET', KEYS[4], id, value)
    end
  end
end
redis.call('PEXPIRE', KEYS[4], ARGV[2])
account(KEYS[4], bytes, ARGV[1])
trim(tonumber(ARGV[3]), ARGV[4])
return 1
`;
