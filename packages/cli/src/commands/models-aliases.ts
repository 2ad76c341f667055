// PLACEHOLDER
import type { CommandSpec } from '../command.js'
const todo: CommandSpec = {
  summary: 'TODO',
  run() {
    throw new Error('not implemented')
  },
}
export const aliasCommands = { list: todo, add: todo, remove: todo }
