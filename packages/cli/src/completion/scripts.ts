// The shell side of `claw completion bash|zsh|fish`: a small function per shell that hands the
// words typed so far to `claw completion __complete -- <words…>` and offers what it prints (one
// candidate a line). The answers come from the command registry and the user's state, so the
// installed script never goes stale when claw gains a command or a profile.

/** The shells `claw completion` writes a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const

export type CompletionShell = (typeof COMPLETION_SHELLS)[number]

/** The hidden first argument that asks for candidates instead of a script. */
export const COMPLETE_WORD = '__complete'

// bash splits words at `:` (COMP_WORDBREAKS), which would cut `openai:default` in two: the line up
// to the cursor is split on blanks here instead, and the part of the word before its last `:` is
// taken off each candidate, because bash replaces only what follows it.
const BASH = `# claw completion for bash
_claw_complete() {
  local line="\${COMP_LINE:0:COMP_POINT}"
  local -a words
  read -ra words <<< "$line"
  [[ "$line" =~ [[:space:]]$ ]] && words+=("")
  local cur="\${words[\${#words[@]}-1]}"
  local IFS=$'\\n'
  COMPREPLY=($(command claw completion ${COMPLETE_WORD} -- "\${words[@]:1}" 2>/dev/null))
  if [[ "$cur" == *:* && "$COMP_WORDBREAKS" == *:* ]]; then
    local colon="\${cur%"\${cur##*:}"}" i
    for i in "\${!COMPREPLY[@]}"; do COMPREPLY[i]="\${COMPREPLY[i]#"$colon"}"; done
  fi
}
complete -o default -F _claw_complete claw
`

const ZSH = `#compdef claw
# claw completion for zsh
_claw() {
  local -a candidates
  candidates=("\${(@f)$(command claw completion ${COMPLETE_WORD} -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  candidates=(\${candidates:#})
  (( \${#candidates} )) && compadd -Q -- "\${candidates[@]}"
}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then
  _claw "$@"
else
  compdef _claw claw
fi
`

const FISH = `# claw completion for fish
function __claw_complete
    set -l tokens (commandline -opc) (commandline -ct)
    command claw completion ${COMPLETE_WORD} -- $tokens[2..-1] 2>/dev/null
end
complete -c claw -f -a '(__claw_complete)'
`

/** The completion script for `shell`. */
export function completionScript(shell: CompletionShell): string {
  return { bash: BASH, zsh: ZSH, fish: FISH }[shell]
}
