// `completion bash|zsh`: prints a shell script that completes flotctl's command line. The script asks the hidden
// `flotctl __complete -- WORDS...` command (complete.ts) for candidates, so commands, flags, resource types and the
// server's object names are completed by the same code that parses them. zsh loads the bash script through
// bashcompinit. Messages and exit codes for a missing or unknown shell are kubectl's.
import type { Command } from './command.js';
import { CliError } from './context.js';

const see = "\nSee 'flotctl completion -h' for help and examples";

const BASH = `# bash completion for flotctl
# Load it in this shell with:      source <(flotctl completion bash)
# or for every shell, e.g.:         flotctl completion bash > /etc/bash_completion.d/flotctl
_flotctl() {
    local IFS=$'\\n'
    COMPREPLY=($("\${COMP_WORDS[@]:0:1}" __complete -- "\${COMP_WORDS[@]:1:$COMP_CWORD}" 2>/dev/null))
    return 0
}
complete -o default -F _flotctl flotctl
`;

const ZSH = `#compdef flotctl
# zsh completion for flotctl (through bashcompinit)
# Load it in this shell with:      source <(flotctl completion zsh)
if ! (( $+functions[complete] )); then
    autoload -U +X bashcompinit && bashcompinit
fi
${BASH.split('\n').filter((l) => !l.startsWith('#')).join('\n')}`;

export const command: Command = {
  short: 'Output shell completion code for the specified shell (bash or zsh)',
  flags: {},
  run: async (ctx, p) => {
    if (!p.args.length) throw new CliError(`error: Shell not specified.${see}`);
    if (p.args.length > 1) throw new CliError(`error: Too many arguments. Expected only the shell type.${see}`);
    const shell = p.args[0] as string;
    if (shell === 'bash') ctx.print(BASH);
    else if (shell === 'zsh') ctx.print(ZSH);
    else throw new CliError(`error: Unsupported shell type ${JSON.stringify(shell)}.${see}`);
  },
};
