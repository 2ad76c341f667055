// PLACEHOLDER
import type { CommandSpec } from '../command.js'
const todo: CommandSpec = {
  summary: 'TODO',
  run() {
    throw new Error('not implemented')
  },
}
const group = { list: todo, add: todo, remove: todo, clear: todo }
export const fallbackCommands = { fallbacks: group, 'image-fallbacks': group }
