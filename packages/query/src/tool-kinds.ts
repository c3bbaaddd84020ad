/**
 * Tool names by what they do, lower-cased, across harnesses (Claude Code,
 * Codex, Gemini CLI, generic). The spans table stores the tool name only, so
 * queries classify with these lists, bound as array parameters. They follow
 * the describers in @fulcrum/sdk/tools.
 */
export const TOOL_KINDS = {
  read: ['read', 'notebookread', 'read_file', 'read_many_files'],
  write: ['write', 'write_file', 'create_file'],
  edit: ['edit', 'multiedit', 'notebookedit', 'replace', 'str_replace', 'edit_file', 'apply_patch'],
  search: ['glob', 'grep', 'grep_search', 'search_file_content', 'ls', 'list_directory'],
  shell: ['bash', 'shell', 'exec_command', 'run_shell_command', 'local_shell'],
  delete: ['delete', 'delete_file', 'remove_file'],
} as const;

/** Shell commands that only look at files: repeating one unchanged is a repeated search. */
export const SCAN_COMMANDS = ['grep', 'rg', 'find', 'cat', 'ls', 'fd', 'head', 'tail'] as const;

/** Bound parameters for TOOL_KIND_SQL. */
export function toolKindParams(): Record<string, string[]> {
  return {
    readTools: [...TOOL_KINDS.read],
    writeTools: [...TOOL_KINDS.write],
    editTools: [...TOOL_KINDS.edit],
    searchTools: [...TOOL_KINDS.search],
    shellTools: [...TOOL_KINDS.shell],
    deleteTools: [...TOOL_KINDS.delete],
    scanCommands: [...SCAN_COMMANDS],
  };
}

/** The kind of a tool span: read | write | edit | search | shell | delete | other. */
export const TOOL_KIND_SQL = `multiIf(
  has({readTools:Array(String)}, lower(ToolName)), 'read',
  has({editTools:Array(String)}, lower(ToolName)), if(LinesRemoved = 0 AND LinesAdded > 0 AND lower(ToolName) = 'apply_patch', 'write', 'edit'),
  has({writeTools:Array(String)}, lower(ToolName)), 'write',
  has({searchTools:Array(String)}, lower(ToolName)), 'search',
  has({deleteTools:Array(String)}, lower(ToolName)), 'delete',
  has({shellTools:Array(String)}, lower(ToolName)),
    multiIf(match(Command, '^\\\\s*(git\\\\s+)?rm\\\\s'), 'delete',
            has({scanCommands:Array(String)}, splitByWhitespace(trimLeft(Command))[1]), 'scan', 'shell'),
  'other')`;
