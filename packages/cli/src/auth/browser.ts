// Opening a URL in the user's browser, best effort: only where a browser can plausibly be shown
// (macOS, Windows, or a Linux/BSD desktop session). Failures are silent; the URL is always printed.
import { spawn } from 'node:child_process'

type Env = Readonly<Record<string, string | undefined>>

function opener(url: string, env: Env): readonly [string, readonly string[]] | undefined {
  switch (process.platform) {
    case 'darwin':
      return ['open', [url]]
    case 'win32':
      return ['rundll32', ['url.dll,FileProtocolHandler', url]]
    default:
      return env['DISPLAY'] || env['WAYLAND_DISPLAY'] ? ['xdg-open', [url]] : undefined
  }
}

/** Tries to open `url`; returns whether an opener was started. */
export function openBrowser(url: string, env: Env): boolean {
  if (!/^https?:\/\//i.test(url)) return false
  const command = opener(url, env)
  if (!command) return false
  try {
    const child = spawn(command[0], [...command[1]], { stdio: 'ignore', detached: true })
    child.on('error', () => undefined)
    child.unref()
    return true
  } catch {
    return false
  }
}
