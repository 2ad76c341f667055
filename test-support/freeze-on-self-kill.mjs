// For fixtures that must stop (not die) at a test fault point: claw's `die@<point>` fault makes
// the process SIGKILL itself there; after this runs, the first such self-kill is a SIGSTOP instead
// (the test resumes the process with SIGCONT) and later ones are ignored.
export function freezeOnFirstSelfKill() {
  const kill = process.kill.bind(process)
  let frozen = false
  process.kill = (pid, signal) => {
    if (pid === process.pid && signal === 'SIGKILL') {
      if (frozen) return true
      frozen = true
      return kill(pid, 'SIGSTOP')
    }
    return kill(pid, signal)
  }
}
