/**
 * @module @starmodel/redis/scripts
 * The Lua scripts that make every write atomic: the version check and the write (record key and
 * type index together) run as one step on the server, so two processes can never both win.
 *
 * A record is stored as `{"version":N,"createdAt":ms,"updatedAt":ms[,"expiresAt":ms],"state":{...}}`.
 * Version and createdAt come first so a script reads them without decoding the state. Times are
 * the Redis server's clock (TIME), so every instance agrees on them and on expiry.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Shared Lua helpers: the server clock and the head of a stored record. */
const HELPERS = `
local function clock()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function fmt(n) return string.format('%.0f', n) end
local function head(doc)
  local v, c = string.match(doc, '^{"version":(%d+),"createdAt":(%d+)')
  if v then return tonumber(v), c end
  local ok, parsed = pcall(cjson.decode, doc)
  if ok and type(parsed) == 'table' and tonumber(parsed.version) then
    return tonumber(parsed.version), fmt(tonumber(parsed.createdAt) or 0)
  end
  return nil, nil
end
local function unreadable(key) return redis.error_reply('ERR ' .. key .. ' does not hold a StarModel record') end
`;

/**
 * KEYS: record, index. ARGV: id, expected version, state JSON, TTL in ms ('' for none).
 * Returns {0, actual} on a version conflict, else {1, version, updatedAt, createdAt[, expiresAt]}.
 */
const SAVE = `${HELPERS}
local current = redis.call('GET', KEYS[1])
local version, created = 0, nil
if current then
  version, created = head(current)
  if not version then return unreadable(KEYS[1]) end
end
if version ~= tonumber(ARGV[2]) then return {0, version} end
local now = fmt(clock())
created = created or now
local next = version + 1
local doc = '{"version":' .. fmt(next) .. ',"createdAt":' .. created .. ',"updatedAt":' .. now
local ttl = tonumber(ARGV[4])
if ttl then
  local expires = fmt(tonumber(now) + ttl)
  redis.call('SET', KEYS[1], doc .. ',"expiresAt":' .. expires .. ',"state":' .. ARGV[3] .. '}', 'PX', fmt(ttl))
  redis.call('ZADD', KEYS[2], expires, ARGV[1])
  return {1, next, now, created, expires}
end
redis.call('SET', KEYS[1], doc .. ',"state":' .. ARGV[3] .. '}')
redis.call('ZADD', KEYS[2], '+inf', ARGV[1])
return {1, next, now, created}
`;

/**
 * KEYS: record, index. ARGV: id, expected version ('' for any).
 * Returns {1, version} when deleted, {0, 0} when there was nothing, {-1, actual} on a conflict.
 */
const DELETE = `${HELPERS}
local current = redis.call('GET', KEYS[1])
local expected = tonumber(ARGV[2])
if not current then
  redis.call('ZREM', KEYS[2], ARGV[1])
  if expected and expected ~= 0 then return {-1, 0} end
  return {0, 0}
end
local version = head(current)
if not version then return unreadable(KEYS[1]) end
if expected and expected ~= version then return {-1, version} end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return {1, version}
`;

/**
 * KEYS: record, index. ARGV: id, the version the undone write left (0: none), the previous
 * record's JSON ('' to remove), its expiresAt in ms ('' for none). Returns 1 when restored.
 */
const RESTORE = `${HELPERS}
local current = redis.call('GET', KEYS[1])
local version = 0
if current then version = head(current) or -1 end
if version ~= tonumber(ARGV[2]) then return 0 end
local expires = tonumber(ARGV[4])
local left = expires and (expires - clock()) or nil
if ARGV[3] == '' or (left and left <= 0) then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 1
end
if left then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', fmt(left))
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
else
  redis.call('SET', KEYS[1], ARGV[3])
  redis.call('ZADD', KEYS[2], '+inf', ARGV[1])
end
return 1
`;

/** KEYS: index. Drops ids whose expiry passed, then returns every id left. */
const IDS = `${HELPERS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', fmt(clock()))
return redis.call('ZRANGE', KEYS[1], 0, -1)
`;

/**
 * KEYS: index, then record keys. ARGV: the ids of those records. Removes index entries whose record
 * is gone (deleted by hand, or evicted under a maxmemory policy); checked here so a record saved
 * again meanwhile keeps its entry. Returns how many were removed.
 */
const FORGET_MISSING = `
local removed = 0
for i, id in ipairs(ARGV) do
  if redis.call('EXISTS', KEYS[i + 1]) == 0 then removed = removed + redis.call('ZREM', KEYS[1], id) end
end
return removed
`;

/** A Lua script run by its SHA (EVALSHA), sent in full only when the server does not know it yet. */
export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      // A restarted (or flushed) Redis forgets scripts; send this one in full once.
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return client.eval(this.source, keys.length, ...keys, ...args);
      throw error;
    }
  }
}

/** The store's scripts. */
export const scripts = {
  save: new LuaScript(SAVE),
  delete: new LuaScript(DELETE),
  restore: new LuaScript(RESTORE),
  ids: new LuaScript(IDS),
  forgetMissing: new LuaScript(FORGET_MISSING),
};
