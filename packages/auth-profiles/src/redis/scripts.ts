// The Lua scripts of the Redis state backend. Each runs atomically in one round trip; key names
// are built by keys.ts and passed in (the scripts only append a model id to a given key prefix).
import { defineFleetScript } from './fleet-script.js'

/**
 * Reads an agent's routing state. ARGV: the profile count `n`, then per profile its usage hash,
 * cooldown key, disabled key and model-cooldown key prefix, then the order, last-good and re-auth
 * keys. Returns JSON: `{ p: [{ u, c, cp, d, dp, m: { model: [value, pttl] } }], o, g, r }` with
 * `u` the usage hash, `c`/`d` the window values (false when gone) and `cp`/`dp` their PTTLs.
 *
 * @internal
 */
export const READ_ROUTING_SCRIPT = defineFleetScript(`
local function hash(key)
  local flat = redis.call('HGETALL', key)
  local out = {}
  for i = 1, #flat, 2 do out[flat[i]] = flat[i + 1] end
  return out
end
local n = tonumber(ARGV[1])
local profiles = {}
for i = 0, n - 1 do
  local base = 2 + i * 4
  local usage = hash(ARGV[base])
  local models = {}
  for field, _ in pairs(usage) do
    local model = string.match(field, '^model:(.+):until$')
    if model then
      local key = ARGV[base + 3] .. model
      models[model] = { redis.call('GET', key), redis.call('PTTL', key) }
    end
  end
  profiles[i + 1] = {
    u = usage,
    c = redis.call('GET', ARGV[base + 1]), cp = redis.call('PTTL', ARGV[base + 1]),
    d = redis.call('GET', ARGV[base + 2]), dp = redis.call('PTTL', ARGV[base + 2]),
    m = models,
  }
end
local tail = 2 + n * 4
local members = redis.call('SMEMBERS', ARGV[tail + 2])
local reauth = {}
for i = 1, #members do reauth[members[i]] = true end
return cjson.encode({ p = profiles, o = hash(ARGV[tail]), g = hash(ARGV[tail + 1]), r = reauth })
`)

/**
 * Applies a list of routing operations atomically. ARGV[1]: JSON array of operations, each an
 * array `[op, key, …]`:
 *
 * - `incr key field delta` (HINCRBY), `hset key field value`, `hdel key field…`;
 * - `max key field value`: HSET only when larger than the stored number (timestamps);
 * - `win key value ttl`: monotonic window, SET PX only when the key is missing or its PTTL is
 *   shorter than `ttl` (a later, shorter write never shortens a longer window);
 * - `del key` (explicit clear);
 * - `gone key hashKey field…`: HDEL the fields only when the window `key` has expired (so an
 *   expired-window reset never clears a window another process has just set);
 * - `sadd key member`, `srem key member`;
 * - `success usageKey at cooldownKey disabledKey modelCooldownKey model`: a success recorded at
 *   `at` and written later. `lastUsed` moves forward to `at`; unless a failure was recorded after
 *   it (`lastFailureAt` > `at`), `errorCount` becomes 0, the `failure:*` counts go, and so do the
 *   profile's cooldown and disabled windows and, with a model, that model's window and count.
 *
 * @internal
 */
export const WRITE_ROUTING_SCRIPT = defineFleetScript(`
local ops = cjson.decode(ARGV[1])
for _, op in ipairs(ops) do
  local o, key = op[1], op[2]
  if o == 'incr' then
    redis.call('HINCRBY', key, op[3], op[4])
  elseif o == 'hset' then
    redis.call('HSET', key, op[3], op[4])
  elseif o == 'hdel' then
    for i = 3, #op do redis.call('HDEL', key, op[i]) end
  elseif o == 'max' then
    local current = tonumber(redis.call('HGET', key, op[3]) or '')
    if current == nil or current < tonumber(op[4]) then redis.call('HSET', key, op[3], op[4]) end
  elseif o == 'win' then
    local ttl = tonumber(op[4])
    local pttl = redis.call('PTTL', key)
    if pttl ~= -1 and pttl < ttl then redis.call('SET', key, op[3], 'PX', ttl) end
  elseif o == 'del' then
    redis.call('DEL', key)
  elseif o == 'gone' then
    if redis.call('EXISTS', key) == 0 then
      for i = 4, #op do redis.call('HDEL', op[3], op[i]) end
    end
  elseif o == 'sadd' then
    redis.call('SADD', key, op[3])
  elseif o == 'srem' then
    redis.call('SREM', key, op[3])
  elseif o == 'success' then
    local at = tonumber(op[3])
    local used = tonumber(redis.call('HGET', key, 'lastUsed') or '')
    if used == nil or used < at then redis.call('HSET', key, 'lastUsed', op[3]) end
    local failed = tonumber(redis.call('HGET', key, 'lastFailureAt') or '')
    if failed == nil or failed <= at then
      redis.call('HSET', key, 'errorCount', 0)
      for _, field in ipairs(redis.call('HKEYS', key)) do
        if string.sub(field, 1, 8) == 'failure:' then redis.call('HDEL', key, field) end
      end
      redis.call('DEL', op[4], op[5])
      redis.call('HDEL', key, 'cooldownUntil', 'disabledUntil')
      if op[7] ~= '' then
        redis.call('DEL', op[6])
        redis.call('HDEL', key, 'model:' .. op[7] .. ':until', 'model:' .. op[7] .. ':errorCount')
      end
    end
  end
end
return #ops
`)
