// `claw doctor [--fix] [--yes] [--non-interactive] [--json]`: checks the config,
// every agent's credential store, permissions, token expiry, cooldowns, legacy and deprecated
// credentials, orphan entries and plaintext secrets; `--fix` repairs what is safe.
import { flag, type CommandSpec } from '../command.js'
import { renderDoctorHuman, renderDoctorJson } from '../doctor/render.js'
import { runDoctor } from '../doctor/runner.js'
import { ask } from '../secret-input.js'

export const doctorCommand: CommandSpec = {
  summary: 'Check config, credential stores, permissions and tokens; --fix repairs what is safe.',
  description: [
    'Checks every agent (main, agents.list and the dirs under <state>/agents): config and store',
    'parse errors, file and directory permissions, config auth.profiles modes, expired or expiring',
    'OAuth credentials and tokens, profiles needing re-auth, cooldowns, legacy files to import,',
    'deprecated CLI profiles, orphan order entries and temp files, and literal secrets in generated',
    'models.json files. Without --fix nothing on disk changes.',
    '',
    '--fix applies the safe repairs (chmod, imports, orphan removal, config mode alignment, env var',
    'names for literal keys) and prints one line per change. Refreshing OAuth tokens and removing',
    'deprecated profiles also need --yes, or a "y" at the prompt on a terminal.',
    '',
    'Exit codes: 0 no errors (warnings allowed), 1 errors remain, 78 a config or store file is',
    'unreadable or invalid.',
  ].join('\n'),
  options: {
    fix: { type: 'boolean', description: 'Repair what is safe and print each change.' },
    yes: {
      type: 'boolean',
      short: 'y',
      description:
        'Implies --fix; also refresh OAuth tokens and remove deprecated profiles, unasked.',
    },
    repair: { type: 'boolean', description: 'Same as --fix --yes (the flag OpenClaw users know).' },
    'non-interactive': {
      type: 'boolean',
      description: 'Never prompt (repairs that need a confirmation are skipped).',
    },
    json: {
      type: 'boolean',
      description: 'Machine-readable JSON (see the README for the schema).',
    },
  },
  examples: ['claw doctor', 'claw doctor --fix', 'claw doctor --fix --yes --json'],
  async run(context, args) {
    const json = flag(args, 'json')
    const yes = flag(args, 'yes') || flag(args, 'repair')
    const fix = flag(args, 'fix') || yes
    const interactive = !json && !flag(args, 'non-interactive') && context.io.stdin.isTTY === true
    const report = await runDoctor(context, {
      fix,
      yes,
      ...(interactive
        ? {
            confirm: async (question: string) =>
              /^y(es)?$/i.test(await ask(context.io, `${question} [y/N] `)),
          }
        : {}),
    })
    if (json) renderDoctorJson(context.out, report)
    else renderDoctorHuman(context.out, report, { fix })
    return report.exitCode
  },
}
