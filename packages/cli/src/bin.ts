#!/usr/bin/env node
import { homedir } from 'node:os'
import { runCli } from './main.js'

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  now: Date.now,
  homeDir: homedir(),
  fetch: (input, init) => fetch(input, init),
})
