// A config that names commands to run (exec secret providers): refused when other users can
// change it, never running a command another user owns, never waiting on what the command left
// behind, and named by doctor. Every claw here is a real child process; every wait is bounded.
import { chmodSync, chownSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ClawSandbox, parseJsonOutput } from '../test/helpers/claw.ts'

const isPosix = process.platform !== 'win32'
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0

let sandbox: ClawSandbox
let configPath: string
beforeEach(() => {
  sandbox = new ClawSandbox('claw-config-')
  configPath = join(sandbox.stateDir, 'claw.json')
})
afterEach(() => sandbox.dispose())

describe('a config that names commands to run (exec secret providers)', () => {
  const execConfig = () => ({
    secrets: { providers: { vault: { source: 'exec', command: '/bin/true' } } },
  })

  /** An OpenAI profile whose key the exec provider `vault` (`provider`: its command, …) resolves. */
  const writeExecKeyRef = (provider: { command: string; timeoutMs?: number }) => {
    sandbox.writeStore({
      version: 1,
      profiles: {
        'openai:default': {
          type: 'api_key',
          provider: 'openai',
          keyRef: { source: 'exec', provider: 'vault', id: 'openai' },
        },
      },
    })
    sandbox.writeConfig({
      agents: { defaults: { model: 'openai/gpt-4o' } },
      secrets: { providers: { vault: { source: 'exec', ...provider } } },
    })
  }

  it.skipIf(!isPosix)(
    'is refused when other users can change it, unless CLAW_ALLOW_INSECURE_CONFIG=1',
    async () => {
      sandbox.writeConfig(execConfig())
      chmodSync(configPath, 0o666)
      const result = await sandbox.run(['models', 'status'])
      expect(result.code).toBe(78)
      expect(result.stderr).toBe(
        `Config ${configPath} defines exec secret providers (commands claw runs), but ${configPath} has mode 0666, so other users can change it; run \`chmod go-w ${configPath}\`. Fix the permissions, or set CLAW_ALLOW_INSECURE_CONFIG=1 to use it anyway.\n`,
      )
      const allowed = await sandbox.run(['models', 'status'], {
        env: { CLAW_ALLOW_INSECURE_CONFIG: '1' },
      })
      expect(allowed.code).toBe(0)
      // Without exec providers the same mode is only a permissions warning (doctor).
      sandbox.writeConfig({})
      chmodSync(configPath, 0o666)
      expect((await sandbox.run(['models', 'status'])).code).toBe(0)
    },
  )

  it.skipIf(!isPosix)('is refused when its directory is writable by others', async () => {
    sandbox.writeConfig(execConfig())
    chmodSync(sandbox.stateDir, 0o777)
    const result = await sandbox.run(['models', 'status'])
    expect(result.code).toBe(78)
    expect(result.stderr).toContain(`its directory ${sandbox.stateDir} has mode 0777`)
  })

  it.skipIf(!isRoot)(
    "`models status --probe` never runs a command another user owns, nor one named by another user's config",
    async () => {
      const ran = join(sandbox.root, 'ran')
      const command = join(sandbox.root, 'helper.sh')
      writeFileSync(command, `#!/bin/sh\ntouch ${ran}\necho '{"protocolVersion":1,"values":{}}'\n`)
      chmodSync(command, 0o777)
      chownSync(command, 65534, 65534)
      writeExecKeyRef({ command })
      const probe = await sandbox.run(['models', 'status', '--probe'])
      expect(existsSync(ran)).toBe(false)
      expect(probe.stdout).toContain('Auth reason [unresolved_ref]')
      expect(probe.stdout).toContain(
        `the command is not trusted: ${command} is owned by uid 65534, neither the current user (uid 0) nor root`,
      )

      // The config itself owned by another user (mode 0600): refused before anything runs.
      chownSync(command, 0, 0)
      chmodSync(command, 0o755)
      chownSync(configPath, 65534, 65534)
      const foreign = await sandbox.run(['models', 'status', '--probe'])
      expect(foreign.code).toBe(78)
      expect(foreign.stderr).toContain(
        `Config ${configPath} defines exec secret providers (commands claw runs), but ${configPath} is owned by uid 65534`,
      )
      expect(existsSync(ran)).toBe(false)
    },
  )

  it.skipIf(!isPosix)(
    '`models status --probe` does not wait for a background process the command left holding its output',
    async () => {
      const pidFile = join(sandbox.root, 'background.pid')
      const command = join(sandbox.root, 'helper.sh')
      // Starts a process in its own session that keeps stdout open, then exits without a reply.
      writeFileSync(command, `#!/bin/sh\nsetsid sleep 40 &\necho $! > ${pidFile}\n`)
      chmodSync(command, 0o755)
      writeExecKeyRef({ command, timeoutMs: 2000 })
      try {
        const started = performance.now()
        const probe = await sandbox.run(['models', 'status', '--probe'], { timeoutMs: 20_000 })
        expect(performance.now() - started).toBeLessThan(15_000)
        expect(probe.stdout).toContain('Auth reason [unresolved_ref]')
      } finally {
        try {
          process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL')
        } catch {
          // Never started, or gone.
        }
      }
    },
    30_000,
  )

  it.skipIf(!isPosix)(
    'doctor names an exec command claw would refuse to run, and why',
    async () => {
      const command = join(sandbox.root, 'helper.sh')
      writeFileSync(command, '#!/bin/sh\necho {}\n')
      chmodSync(command, 0o777)
      sandbox.writeConfig({ secrets: { providers: { vault: { source: 'exec', command } } } })
      const doctor = parseJsonOutput<{ findings: { id: string; message: string }[] }>(
        await sandbox.run(['doctor', '--json']),
      )
      const finding = doctor.findings.find((entry) => entry.id === 'config.exec_command')
      expect(finding?.message).toContain(
        `secrets.providers.vault: the command is not trusted: ${command} has mode 0777`,
      )
    },
  )
})
