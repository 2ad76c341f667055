#!/usr/bin/env node
import * as nodeModule from 'node:module'
import { homedir } from 'node:os'

// Node ≥ 22.1 can keep the code V8 compiles for claw's modules on disk (in the OS temp dir), so
// later starts skip compiling them: most of a short command's time on top of a bare `node` (bench
// row `claw start status / bare node`). It must be on before the CLI's modules load, hence the
// dynamic import below. Node 20 has no such function; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
const compileCache = nodeModule as { enableCompileCache?: () => unknown }
compileCache.enableCompileCache?.()

const { runCli } = await import('./main.js')

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  // Opened on first use: on a terminal, `process.stdin` sets up a TTY stream (and loads the
  // modules behind it), which only the commands that prompt or read stdin need.
  get stdin() {
    return process.stdin
  },
  env: process.env,
  now: Date.now,
  homeDir: homedir(),
  fetch: (input, init) => fetch(input, init),
})
