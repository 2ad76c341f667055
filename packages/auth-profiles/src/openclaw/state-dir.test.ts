// Reading OpenClaw 2026.9 state dirs (fixtures written by OpenClaw itself) with both SQLite
// engines, and refusing bad input with errors that name the file while changing nothing.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { afterEach, describe, expect, it } from 'vitest'
import {
  copyOpenClawFixture,
  hashTree,
  openClawExpected,
  type OpenClawFixtureName,
} from '../../../../test-support/openclaw-fixtures.ts'
import { AuthProfilesError } from '../errors.js'
import { nodeSqliteAvailable, type SqliteReaderName } from './sqlite-snapshot.js'
import { readOpenClawState } from './state-dir.js'

const hasNodeSqlite = nodeSqliteAvailable()
const readers: readonly SqliteReaderName[] = ['node:sqlite', 'sql.js']
const STATE_DB = join('state', 'openclaw.sqlite')

const disposers: (() => void)[] = []
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose()
})

function fixture(name: OpenClawFixtureName): string {
  const copy = copyOpenClawFixture(name)
  disposers.push(copy.dispose)
  return copy.dir
}

interface SqlJsDatabase {
  run(sql: string): void
  exec(sql: string): { values: unknown[][] }[]
  export(): Uint8Array
  close(): void
}
type SqlJs = { Database: new (data: Uint8Array) => SqlJsDatabase }

/** Edits a database copy with sql.js (works on every Node), keeping its WAL-mode header. */
async function editDatabase(file: string, sql: string): Promise<void> {
  const init = createRequire(import.meta.url)('sql.js') as () => Promise<SqlJs>
  const SQL = await init()
  const db = new SQL.Database(readFileSync(file))
  db.run(sql)
  const bytes = db.export()
  db.close()
  bytes[18] = 2 // export() writes a rollback-journal header; OpenClaw's files are WAL mode.
  bytes[19] = 2
  writeFileSync(file, bytes)
}

/** The first column of each row of a query (sql.js). */
async function queryDatabase(file: string, sql: string): Promise<unknown[]> {
  const init = createRequire(import.meta.url)('sql.js') as () => Promise<SqlJs>
  const SQL = await init()
  const db = new SQL.Database(readFileSync(file))
  try {
    return (db.exec(sql)[0]?.values ?? []).map((row) => row[0])
  } finally {
    db.close()
  }
}

async function readError(dir: string, reader: SqliteReaderName): Promise<AuthProfilesError> {
  const error: unknown = await readOpenClawState({ stateDir: dir, reader }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  expect(AuthProfilesError.isInstance(error), String(error)).toBe(true)
  return error as AuthProfilesError
}

describe.each(readers)('readOpenClawState with %s', (reader) => {
  const skip = reader === 'node:sqlite' && !hasNodeSqlite

  it.skipIf(skip)('fresh: each agent store equals the fixture result, field by field', async () => {
    const dir = fixture('fresh')
    const expected = openClawExpected('fresh')
    const before = hashTree(dir)
    const state = await readOpenClawState({ stateDir: dir, reader })
    expect(state.reader).toBe(reader)
    expect(state.appVersion).toBe('2026.9.6')
    expect(state.schemaVersion).toBe(expected.schemaVersions.state)
    expect(state.agents.map((agent) => agent.agentId)).toEqual(['main', 'work'])
    const [main, work] = state.agents
    expect(main!.store).toStrictEqual(expected.agents['main']!.store)
    expect(work!.store).toStrictEqual(expected.agents['work']!.store)
    // Field by field, the values the README spells out.
    expect(main!.store.order).toEqual({
      openai: ['openai:work', 'openai:codex-canary@example.invalid', 'openai:personal'],
    })
    expect(main!.store.lastGood).toBeUndefined()
    expect(main!.store.usageStats?.['openai:work']).toStrictEqual({
      cooldownUntil: 1796594065054,
      cooldownReason: 'rate_limit',
      errorCount: 1,
      failureCounts: { rate_limit: 3 },
      lastFailureAt: 1796593945054,
    })
    expect(main!.store.usageStats?.['openai:personal']).toStrictEqual({
      errorCount: 0,
      lastProbeAt: 1796593946072,
    })
    expect(work!.database).toBe(join(dir, 'agents', 'work', 'agent', 'openclaw-agent.sqlite'))
    expect(state.legacyIdMap).toEqual({})
    expect(hashTree(dir)).toBe(before)
    expect(readdirSync(join(dir, 'state'))).toEqual(['openclaw.sqlite'])
  })

  it.skipIf(skip)(
    'migrated from Clawdbot: the shared store and the legacy id receipt',
    async () => {
      const dir = fixture('migrated-from-clawdbot')
      const expected = openClawExpected('migrated-from-clawdbot')
      const before = hashTree(dir)
      const state = await readOpenClawState({ stateDir: dir, reader })
      expect(state.agents.map((agent) => agent.agentId)).toEqual(['main'])
      expect(state.agents[0]!.store).toStrictEqual(expected.agents['main']!.store)
      expect(state.agents[0]!.database).toBeUndefined()
      expect(state.legacyIdMap).toEqual(expected.legacyIdMap)
      expect(state.agents[0]!.store.usageStats?.['anthropic:work']).toStrictEqual({
        lastUsed: 1796593575350,
        cooldownUntil: 1796595135350,
        errorCount: 3,
        failureCounts: { rate_limit: 3 },
        lastFailureAt: 1796593635350,
      })
      expect(hashTree(dir)).toBe(before)
    },
  )

  it.skipIf(skip)('a truncated database is an error naming the file', async () => {
    const dir = fixture('fresh')
    const file = join(dir, STATE_DB)
    truncateSync(file, 300_000)
    const before = hashTree(dir)
    const error = await readError(dir, reader)
    expect(error.code).toBe('ERR_STORE_INVALID')
    expect(error.path).toBe(file)
    expect(error.message).toContain(file)
    expect(error.message).toMatch(/truncated/)
    expect(hashTree(dir)).toBe(before)
  })

  it.skipIf(skip)('a damaged page is an error naming the file', async () => {
    const dir = fixture('fresh')
    const file = join(dir, STATE_DB)
    const [root] = await queryDatabase(
      file,
      "SELECT rootpage FROM sqlite_master WHERE name = 'config_machine_state'",
    )
    const bytes = readFileSync(file)
    const pageSize = bytes.readUInt16BE(16)
    bytes.fill(0xa5, (Number(root) - 1) * pageSize + 8, Number(root) * pageSize)
    writeFileSync(file, bytes)
    const error = await readError(dir, reader)
    expect(['ERR_STORE_INVALID']).toContain(error.code)
    expect(error.message).toContain(file)
  })

  it.skipIf(skip)('a file that is not SQLite is an error naming the file', async () => {
    const dir = fixture('fresh')
    const file = join(dir, 'agents', 'work', 'agent', 'openclaw-agent.sqlite')
    writeFileSync(file, '{"version":1}'.padEnd(4096, ' '))
    const error = await readError(dir, reader)
    expect(error.code).toBe('ERR_STORE_INVALID')
    expect(error.message).toContain(file)
    expect(error.message).toMatch(/no SQLite header/)
  })

  it.skipIf(skip)('a newer schema is refused unless allowed', async () => {
    const dir = fixture('fresh')
    const file = join(dir, STATE_DB)
    await editDatabase(
      file,
      "UPDATE schema_meta SET schema_version = 19, app_version = '2026.10.1'",
    )
    const error = await readError(dir, reader)
    expect(error.code).toBe('ERR_STORE_UNSUPPORTED_VERSION')
    expect(error.message).toContain(file)
    expect(error.message).toContain('2026.10.1')
    const state = await readOpenClawState({ stateDir: dir, reader, allowNewerSchema: true })
    expect(Object.keys(state.agents[0]!.store.profiles)).toHaveLength(4)
  })

  it.skipIf(skip)(
    'a changed table shape is refused even when newer schemas are allowed',
    async () => {
      const dir = fixture('fresh')
      const file = join(dir, 'agents', 'work', 'agent', 'openclaw-agent.sqlite')
      await editDatabase(
        file,
        'DROP TABLE auth_profile_store; CREATE TABLE auth_profile_store (store_key TEXT, body TEXT)',
      )
      const error: unknown = await readOpenClawState({
        stateDir: dir,
        reader,
        allowNewerSchema: true,
      }).catch((thrown: unknown) => thrown)
      expect((error as AuthProfilesError).code).toBe('ERR_STORE_INVALID')
      expect((error as Error).message).toContain(file)
      expect((error as Error).message).toContain('store_json')
    },
  )

  it.skipIf(skip)('a missing schema_meta row is an error naming the file', async () => {
    const dir = fixture('migrated-from-clawdbot')
    const file = join(dir, STATE_DB)
    await editDatabase(file, 'DELETE FROM schema_meta')
    const error = await readError(dir, reader)
    expect(error.code).toBe('ERR_STORE_INVALID')
    expect(error.message).toContain(file)
    expect(error.message).toContain('schema_meta')
  })

  it.skipIf(skip)('a JSON cell that does not parse is named, its content is not', async () => {
    const dir = fixture('fresh')
    const file = join(dir, STATE_DB)
    await editDatabase(
      file,
      'UPDATE config_machine_state SET value_json = \'{"version":1,"profiles":{"a:b":{"key":"sk-claw-canary-oops\' WHERE state_key = \'authProfiles.store\'',
    )
    const error = await readError(dir, reader)
    expect(error.code).toBe('ERR_STORE_INVALID')
    expect(error.message).toContain('config_machine_state "authProfiles.store"')
    expect(error.message).not.toContain('canary')
  })

  it.skipIf(skip)('a pending write-ahead log (OpenClaw running) is refused', async () => {
    const dir = fixture('fresh')
    const file = join(dir, STATE_DB)
    writeFileSync(`${file}-wal`, Buffer.alloc(4096, 1))
    const before = hashTree(dir)
    const error = await readError(dir, reader)
    expect(error.code).toBe('ERR_STORE_BUSY')
    expect(error.retryable).toBe(true)
    expect(error.message).toContain(file)
    expect(error.message).toMatch(/OpenClaw is running/)
    expect(hashTree(dir)).toBe(before)
  })

  it.skipIf(skip || process.platform === 'win32')(
    'a FIFO where the database should be fails at once, naming it',
    async () => {
      const dir = fixture('fresh')
      const file = join(dir, STATE_DB)
      rmSync(file)
      execFileSync('mkfifo', [file])
      const error = await readError(dir, reader)
      expect(error.code).toBe('ERR_STORE_NOT_REGULAR_FILE')
      expect(error.message).toBe(
        `The OpenClaw state database ${file} is not a regular file (found a FIFO); claw will not read it.`,
      )
    },
  )

  it.skipIf(skip)('a dir without the state database says what it is not', async () => {
    const dir = fixture('fresh')
    const error = await readError(join(dir, 'agents'), reader)
    expect(error.code).toBe('ERR_NO_CREDENTIALS')
    expect(error.message).toContain(join(dir, 'agents', STATE_DB))
    expect(error.message).toContain('--from clawdbot')
  })
})

/** Runs `script` in a child process of this Node (one with node:sqlite) until it prints `ready`. */
function holdDatabase(script: string): Promise<{ stop: () => void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (chunk.includes('ready')) resolve({ stop: () => child.stdin.end() })
    })
    child.on('error', reject)
    child.on('exit', (code) => reject(new Error(`holder exited early (${code})`)))
  })
}

describe('a database another process is writing', () => {
  it.skipIf(!hasNodeSqlite)(
    'a write OpenClaw has committed to its write-ahead log but not folded in is refused',
    async () => {
      const dir = fixture('fresh')
      const file = join(dir, STATE_DB)
      const holder = await holdDatabase(`
        import { DatabaseSync } from 'node:sqlite'
        const db = new DatabaseSync(${JSON.stringify(file)})
        db.exec('PRAGMA wal_autocheckpoint=0')
        db.exec("INSERT INTO config_machine_state VALUES ('x', '{}', 0)")
        process.stdout.write('ready')
        process.stdin.resume()
        process.stdin.on('end', () => db.close())
      `)
      try {
        for (const reader of readers) {
          const error = await readError(dir, reader)
          expect(error.code).toBe('ERR_STORE_BUSY')
          expect(error.message).toContain(file)
        }
      } finally {
        holder.stop()
      }
    },
  )

  it.skipIf(!hasNodeSqlite)(
    'an uncommitted WAL transaction is invisible: the committed state is read',
    async () => {
      const dir = fixture('fresh')
      const file = join(dir, STATE_DB)
      const holder = await holdDatabase(`
        import { DatabaseSync } from 'node:sqlite'
        const db = new DatabaseSync(${JSON.stringify(file)})
        db.exec('BEGIN IMMEDIATE')
        db.exec("DELETE FROM config_machine_state WHERE state_key = 'authProfiles.store'")
        process.stdout.write('ready')
        process.stdin.resume()
        process.stdin.on('end', () => { db.exec('ROLLBACK'); db.close() })
      `)
      try {
        for (const reader of readers) {
          const state = await readOpenClawState({ stateDir: dir, reader })
          expect(Object.keys(state.agents[0]!.store.profiles)).toHaveLength(4)
        }
      } finally {
        holder.stop()
      }
    },
  )

  it.skipIf(!hasNodeSqlite)('a rollback-journal writer (hot journal) is refused', async () => {
    const dir = fixture('fresh')
    const file = join(dir, STATE_DB)
    const holder = await holdDatabase(`
      import { DatabaseSync } from 'node:sqlite'
      const db = new DatabaseSync(${JSON.stringify(file)})
      db.exec('PRAGMA journal_mode=DELETE')
      db.exec('PRAGMA cache_size=1')
      db.exec('BEGIN EXCLUSIVE')
      db.exec("UPDATE config_machine_state SET value_json = value_json || ' '")
      process.stdout.write('ready')
      process.stdin.resume()
      process.stdin.on('end', () => { db.exec('ROLLBACK'); db.close() })
    `)
    try {
      expect(existsSync(`${file}-journal`)).toBe(true)
      const error = await readError(dir, 'sql.js')
      expect(error.code).toBe('ERR_STORE_BUSY')
      expect(error.message).toContain(file)
    } finally {
      holder.stop()
    }
  })
})
