// The Lua scripts of the Redis state backend. Each runs atomically in one round trip on the keys
// of one agent (one hash slot), all of them passed in KEYS; ARGV carries values only.
import { defineFleetScript } from './fleet-script.js'

/**
 * Lua helpers of the model-scoped windows (one HASH per profile, model → `<deadline>|<value>`,
 * the deadline in Redis' clock): `clock()` is Redis' time in ms (read once per call),
 * `left(key, field)` the window's remaining ms, -2 when it is gone or has expired.
 */
const WINDOW_FIELDS = `
local now_ms
local function clock()
  if not now_ms then
    local t = redis.call('TIME')
    now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  return now_ms
end
local function split(entry)
  local sep = string.find(entry, '|', 1, true)
  if not sep then return nil, nil end
  return tonumber(string.sub(entry, 1, sep - 1)), string.sub(entry, sep + 1)
end
local function left(key, field)
  local entry = redis.call('HGET', key, field)
  if not entry then return -2 end
  local deadline = split(entry)
  if deadline == nil or deadline <= clock() then return -2 end
  return deadline - clock()
end
`

/**
 * Reads an agent's routing state. KEYS: per profile its usage hash, cooldown key, disabled key
 * and model-cooldown hash, then the order, last-good and re-auth keys; ARGV[1] the profile count
 * `n`. Returns JSON: `{ p: [{ u, c, cp, d, dp, m: { model: [value, pttl] } }], o, g, r }` with
 * `u` the usage hash, `c`/`d` the window values (false when gone) and `cp`/`dp` their PTTLs.
 *
 * @internal
 */
export const READ_ROUTING_SCRIPT = defineFleetScript(`${WINDOW_FIELDS}
local function hash(key)
  local flat = redis.call('HGETALL', key)
  local out = {}
  for i = 1, #flat, 2 do out[flat[i]] = flat[i + 1] end
  return out
end
local n = tonumber(ARGV[1])
local profiles = {}
for i = 0, n - 1 do
  local base = i * 4
  local usage = hash(KEYS[base + 1])
  local models = {}
  for field, _ in pairs(usage) do
    local model = string.match(field, '^model:(.+):until$')
    if model then
      local ms = left(KEYS[base + 4], model)
      if ms > 0 then
        local _, value = split(redis.call('HGET', KEYS[base + 4], model))
        models[model] = { value, ms }
      else
        models[model] = { false, -2 }
      end
    end
  end
  profiles[i + 1] = {
    u = usage,
    c = redis.call('GET', KEYS[base + 2]), cp = redis.call('PTTL', KEYS[base + 2]),
    d = redis.call('GET', KEYS[base + 3]), dp = redis.call('PTTL', KEYS[base + 3]),
    m = models,
  }
end
local tail = n * 4
local members = redis.call('SMEMBERS', KEYS[tail + 3])
local reauth = {}
for i = 1, #members do reauth[members[i]] = true end
return cjson.encode({ p = profiles, o = hash(KEYS[tail + 1]), g = hash(KEYS[tail + 2]), r = reauth })
`)

/**
 * Applies a list of routing operations atomically. ARGV[1]: JSON array of operations, each an
 * array `[op, k, …]` where `k` (and the second key of `gone` / `hgone`) is an index into KEYS:
 *
 * - `incr k field delta` (HINCRBY), `hset k field value`, `hdel k field…`;
 * - `max k field value`: HSET only when larger than the stored number (timestamps);
 * - `win k value ttl`: monotonic window, SET PX only when the key is missing or its PTTL is
 *   shorter than `ttl` (a later, shorter write never shortens a longer window);
 * - `hwin k field value ttl`: the same for a window kept as a hash field (model cooldowns); the
 *   hash expires with its longest window;
 * - `del k` (explicit clear);
 * - `gone k hashK field…`: HDEL the fields only when the window `k` has expired (so an
 *   expired-window reset never clears a window another process has just set); `hgone k field
 *   hashK field…` for a hash-field window;
 * - `sadd k member`, `srem k member`;
 * - `success usageK at cooldownK disabledK modelCooldownsK model`: a success recorded at `at` and
 *   written later. `lastUsed` moves forward to `at`; unless a failure was recorded after it
 *   (`lastFailureAt` > `at`), `errorCount` becomes 0, the `failure:*` counts go, and so do the
 *   profile's cooldown and disabled windows and, with a model, that model's window and count.
 *
 * @internal
 */
export const WRITE_ROUTING_SCRIPT = defineFleetScript(`${WINDOW_FIELDS}
local ops = cjson.decode(ARGV[1])
for _, op in ipairs(ops) do
  local o, key = op[1], KEYS[op[2]]
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
  elseif o == 'hwin' then
    local ttl = tonumber(op[5])
    if left(key, op[3]) < ttl then
      redis.call('HSET', key, op[3], string.format('%d|%s', clock() + ttl, op[4]))
      if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
    end
  elseif o == 'del' then
    redis.call('DEL', key)
  elseif o == 'gone' then
    if redis.call('EXISTS', key) == 0 then
      local hash = KEYS[op[3]]
      for i = 4, #op do redis.call('HDEL', hash, op[i]) end
    end
  elseif o == 'hgone' then
    if left(key, op[3]) < 0 then
      redis.call('HDEL', key, op[3])
      local hash = KEYS[op[4]]
      for i = 5, #op do redis.call('HDEL', hash, op[i]) end
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
      redis.call('DEL', KEYS[op[4]], KEYS[op[5]])
      redis.call('HDEL', key, 'cooldownUntil', 'disabledUntil')
      if op[7] ~= '' then
        redis.call('HDEL', KEYS[op[6]], op[7])
        redis.call('HDEL', key, 'model:' .. op[7] .. ':until', 'model:' .. op[7] .. ':errorCount')
      end
    end
  end
end
return #ops
`)
