import type { Command, Option } from 'commander';

/**
 * Shell completion scripts for bash, zsh and fish, generated from the CLI's own command tree
 * (commands, their options and descriptions), so they never fall behind. Value completion:
 * fixed choices where an option has them (`--format`, `--provider`, `--env`, the shell of
 * `completion`), file names for files, nothing for free values (`--timeout`, `--name`).
 */

/** Shells `datamap completion` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** Values an option (by long flag) or a command's argument (by `command:arg`) can take. */
export type CompletionValues = Record<string, readonly string[]>;

interface OptionInfo {
  short?: string;
  long: string;
  description: string;
  takesValue: boolean;
  values?: readonly string[];
  files: boolean;
}

interface CommandInfo {
  name: string;
  description: string;
  options: OptionInfo[];
  /** Values of the first positional argument, when fixed (e.g. the shell of `completion`). */
  args?: readonly string[];
  /** True when the command takes file arguments. */
  fileArgs: boolean;
}

const FILE_VALUE = /<(file|map|path|paths)\b/;

function optionInfo(o: Option, values: CompletionValues): OptionInfo {
  const info: OptionInfo = { long: o.long ?? o.flags, description: o.description ?? '', takesValue: o.required || o.optional, files: FILE_VALUE.test(o.flags) };
  if (o.short) info.short = o.short;
  const v = values[info.long];
  if (v) info.values = v;
  return info;
}

function describe(program: Command, values: CompletionValues): { global: OptionInfo[]; commands: CommandInfo[] } {
  const global = program.options.map((o) => optionInfo(o, values));
  const commands = program.commands.filter((c) => c.name() !== 'help').map((cmd) => {
    const args = (cmd as unknown as { registeredArguments?: Array<{ name(): string }> }).registeredArguments ?? [];
    const info: CommandInfo = {
      name: cmd.name(),
      description: cmd.description(),
      options: cmd.options.map((o) => optionInfo(o, values)),
      fileArgs: args.some((a) => /file|map|path/.test(a.name())),
    };
    const fixed = values[`${cmd.name()}:${args[0]?.name() ?? ''}`];
    if (fixed) info.args = fixed;
    return info;
  });
  return { global, commands };
}

/** The completion script for a shell. */
export function completionScript(shell: Shell, program: Command, values: CompletionValues): string {
  const tree = describe(program, values);
  if (shell === 'bash') return bash(tree);
  if (shell === 'zsh') return zsh(tree);
  return fish(tree);
}

function flagsOf(o: OptionInfo): string[] {
  return o.short ? [o.short, o.long] : [o.long];
}

function shellWords(words: readonly string[]): string {
  return words.map((w) => w.replace(/[^A-Za-z0-9_.:/@+-]/g, '')).join(' ');
}

function bash(tree: { global: OptionInfo[]; commands: CommandInfo[] }): string {
  const names = tree.commands.map((c) => c.name);
  const valueCases: string[] = [];
  const optionCases: string[] = [];
  const argCases: string[] = [];
  for (const c of tree.commands) {
    const opts = [...c.options, ...tree.global];
    for (const o of opts.filter((x) => x.takesValue)) {
      const pattern = flagsOf(o).map((f) => `${c.name}:${f}`).join('|');
      if (o.values) valueCases.push(`    ${pattern}) COMPREPLY=( $(compgen -W "${shellWords(o.values)}" -- "$cur") ); return ;;`);
      else if (o.files) valueCases.push(`    ${pattern}) COMPREPLY=( $(compgen -f -- "$cur") ); compopt -o filenames 2>/dev/null; return ;;`);
      else valueCases.push(`    ${pattern}) COMPREPLY=(); return ;;`);
    }
    optionCases.push(`    ${c.name}) opts="${shellWords(opts.flatMap(flagsOf))} --help" ;;`);
    if (c.args) argCases.push(`    ${c.name}) COMPREPLY=( $(compgen -W "${shellWords(c.args)}" -- "$cur") ); return ;;`);
    else if (!c.fileArgs) argCases.push(`    ${c.name}) COMPREPLY=(); return ;;`);
  }
  return `# bash completion for datamap. Load it with:
#   source <(datamap completion bash)
# or save it as ~/.local/share/bash-completion/completions/datamap
_datamap() {
  local cur prev cmd opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd="\${COMP_WORDS[1]}"
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=( $(compgen -W "${shellWords(names)} ${shellWords(tree.global.flatMap(flagsOf))} --help --version" -- "$cur") )
    return
  fi
  case "$cmd:$prev" in
${valueCases.join('\n')}
  esac
  if [[ "$cur" == -* ]]; then
    case "$cmd" in
${optionCases.join('\n')}
    *) opts="--help" ;;
    esac
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
    return
  fi
  case "$cmd" in
${argCases.join('\n')}
  esac
  COMPREPLY=( $(compgen -f -- "$cur") )
  compopt -o filenames 2>/dev/null
}
complete -F _datamap datamap
`;
}

/** Text safe inside a zsh _arguments description (no brackets, colons or quotes). */
function zshText(s: string): string {
  return s.replace(/[[\]]/g, '').replace(/:/g, ' -').replace(/['"`$\\]/g, '').replace(/\s+/g, ' ').trim().slice(0, 100);
}

function zsh(tree: { global: OptionInfo[]; commands: CommandInfo[] }): string {
  const spec = (o: OptionInfo): string => {
    const flags = flagsOf(o);
    const excl = flags.length > 1 ? `(${flags.join(' ')})` : '';
    const names = flags.length > 1 ? `{${flags.join(',')}}` : flags[0]!;
    const desc = zshText(o.description);
    const value = !o.takesValue ? '' : o.values ? `:value:(${shellWords(o.values)})` : o.files ? ':file:_files' : ':value: ';
    return flags.length > 1 ? `'${excl}'${names}'[${desc}]${value}'` : `'${names}[${desc}]${value}'`;
  };
  const cases = tree.commands.map((c) => {
    const rest = c.args ? `'1:value:(${shellWords(c.args)})'` : c.fileArgs ? `'*:file:_files'` : '';
    return `    ${c.name})\n      _arguments -s ${[...c.options, ...tree.global].map(spec).join(' ')} ${rest}\n      ;;`;
  });
  return `#compdef datamap
# zsh completion for datamap. Load it with:
#   source <(datamap completion zsh)
# or save it as _datamap in a folder on your $fpath
_datamap() {
  local -a commands
  commands=(
${tree.commands.map((c) => `    '${c.name}:${zshText(c.description)}'`).join('\n')}
  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'datamap command' commands
    return
  fi
  local cmd=$words[2]
  shift words
  (( CURRENT-- ))
  case $cmd in
${cases.join('\n')}
  esac
}
if [[ "$funcstack[1]" == "_datamap" ]]; then
  _datamap "$@"
else
  compdef _datamap datamap
fi
`;
}

function fishText(s: string): string {
  return s.replace(/'/g, '’').replace(/\s+/g, ' ').trim().slice(0, 100);
}

function fish(tree: { global: OptionInfo[]; commands: CommandInfo[] }): string {
  const lines = [
    '# fish completion for datamap. Load it with:',
    '#   datamap completion fish | source',
    '# or save it as ~/.config/fish/completions/datamap.fish',
    'complete -c datamap -f',
  ];
  const names = tree.commands.map((c) => c.name).join(' ');
  for (const c of tree.commands) lines.push(`complete -c datamap -n 'not __fish_seen_subcommand_from ${names}' -a ${c.name} -d '${fishText(c.description)}'`);
  for (const c of tree.commands) {
    const cond = `-n '__fish_seen_subcommand_from ${c.name}'`;
    for (const o of [...c.options, ...tree.global]) {
      const parts = [`complete -c datamap ${cond}`];
      if (o.short) parts.push(`-s ${o.short.replace(/^-/, '')}`);
      parts.push(`-l ${o.long.replace(/^--/, '')}`);
      if (o.takesValue) parts.push(o.values ? `-x -a '${shellWords(o.values)}'` : o.files ? '-r -F' : '-x');
      parts.push(`-d '${fishText(o.description)}'`);
      lines.push(parts.join(' '));
    }
    if (c.args) lines.push(`complete -c datamap ${cond} -a '${shellWords(c.args)}'`);
    else if (c.fileArgs) lines.push(`complete -c datamap ${cond} -F`);
  }
  return lines.join('\n') + '\n';
}
