// Benchmarks for @claw/cli (the built dist/bin.js): how long `claw models status --json` takes
// from process start to exit on a state dir with 20 profiles, against a bare `node -e ''`
// (≤ 2.5×: a status check in a script or prompt hook must feel instant), and how long
// `claw completion bash` takes (≤ 1.5×: `source <(claw completion bash)` runs in every new shell).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { atMost } from '../lib/context.mjs'
import { benchEnv, spawnTimed } from '../lib/measure.mjs'

export const name = 'cli'
export const packages = ['model-catalog', 'auth-profiles', 'failover', 'cli']

const PROVIDERS = ['anthropic', 'openai', 'google', 'mistral', 'groq']

/** A state dir with a config and 20 API-key profiles (4 per provider), one of them cooling down. */
function stateWith20Profiles() {
  const stateDir = mkdtempSync(join(tmpdir(), 'claw-bench-cli-'))
  const agentDir = join(stateDir, 'agents', 'main', 'agent')
  mkdirSync(agentDir, { recursive: true, mode: 0o700 })
  const profiles = {}
  for (const provider of PROVIDERS) {
    for (let index = 0; index < 4; index++) {
      profiles[`${provider}:account-${index}`] = {
        type: 'api_key',
        provider,
        key: `sk-bench-${provider}-${index}-000000000000000000`,
      }
    }
  }
  const usageStats = {
    'openai:account-0': { cooldownUntil: Date.now() + 3_600_000, errorCount: 1 },
  }
  writeFileSync(
    join(agentDir, 'auth-profiles.json'),
    JSON.stringify({ version: 1, profiles, usageStats }),
    { mode: 0o600 },
  )
  const config = {
    agents: {
      defaults: {
        model: { primary: 'anthropic/claude-sonnet-4-5', fallbacks: ['openai/gpt-5.2'] },
        models: { 'anthropic/claude-sonnet-4-5': { alias: 'sonnet' } },
      },
    },
  }
  writeFileSync(join(stateDir, 'claw.json'), JSON.stringify(config), { mode: 0o600 })
  return stateDir
}

export async function run(ctx) {
  const bin = join(ctx.repoRoot, 'packages', 'cli', 'dist', 'bin.js')
  const stateDir = stateWith20Profiles()
  try {
    const runs = ctx.pick(21, 5)
    ctx.log(`claw models status --json: ${runs} interleaved runs per command`)
    const env = benchEnv({ HOME: stateDir, CLAW_STATE_DIR: stateDir })
    const [bare, version, status, completion] = spawnTimed(
      [
        { label: 'bare', args: ['-e', ''] },
        { label: 'version', args: [bin, '--version'] },
        { label: 'status', args: [bin, 'models', 'status', '--json'] },
        { label: 'completion', args: [bin, 'completion', 'bash'] },
      ],
      { runs, warmup: 1, cwd: ctx.repoRoot, env },
    )
    const note = `median of ${runs}, 20 profiles`
    return [
      { name: 'claw start', metric: "node -e ''", value: bare.median, unit: 'ms', note },
      // What every command pays before its own work: loading bin, main and the registry.
      {
        name: 'claw start',
        metric: 'claw --version / bare node',
        value: version.median / bare.median,
        unit: '×',
        note,
      },
      {
        name: 'claw start',
        metric: 'claw models status --json',
        value: status.median,
        unit: 'ms',
        note,
      },
      atMost(
        {
          name: 'claw start',
          metric: 'status / bare node',
          value: status.median / bare.median,
          unit: '×',
        },
        2.5,
        'ratio',
      ),
      {
        name: 'claw start',
        metric: 'claw completion bash',
        value: completion.median,
        unit: 'ms',
        note,
      },
      atMost(
        {
          name: 'claw start',
          metric: 'completion / bare node',
          value: completion.median / bare.median,
          unit: '×',
        },
        1.5,
        'ratio',
      ),
    ]
  } finally {
    rmSync(stateDir, { recursive: true, force: true })
  }
}
