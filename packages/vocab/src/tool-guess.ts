/**
 * What an unknown tool's arguments look like, so a harness author can be told
 * how to map it (the SDK's one-time hint). Only a guess for a message: nothing
 * is ever recorded from it.
 */
import type { ToolDescriptor } from './tool-descriptors.js';

export interface ToolGuess {
  /** What the arguments look like. */
  looksLike: 'edit' | 'write' | 'read' | 'shell';
  /** A descriptor naming the keys found: what a mapping of the tool would say. */
  descriptor: ToolDescriptor;
}

// Key names as compared: lower case, without `_` and `-` (old_str, oldStr and old-str are one).
const OLD = new Set(['oldstring', 'oldstr', 'oldtext', 'old', 'before', 'search', 'find', 'original', 'oldcontent', 'oldcode']);
const NEW = new Set(['newstring', 'newstr', 'newtext', 'new', 'after', 'replace', 'replacement', 'replacewith', 'updated', 'newcontent', 'newcode']);
const PATCH = new Set(['patch', 'diff', 'unifieddiff']);
const PATH = new Set(['filepath', 'path', 'file', 'filename', 'absolutepath', 'targetfile', 'notebookpath', 'relativepath', 'fullpath', 'abspath']);
const CONTENT = new Set(['content', 'contents', 'text', 'filetext', 'code', 'body', 'source', 'filecontent', 'filecontents']);
const COMMAND = new Set(['command', 'cmd', 'commandline', 'script', 'shellcommand']);

const squash = (key: string): string => key.toLowerCase().replace(/[_-]/g, '');
const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';
const looksLikeDiff = (s: string): boolean => s.trimStart().startsWith('*** Begin Patch') || /^@@ |^--- |^\+\+\+ /m.test(s);

/**
 * What a call's arguments look like: an edit (old and new text, or a diff),
 * a write (a path and content), a shell command, or a read (a path and no
 * other text), with the keys found; undefined when they look like none.
 */
export function guessToolDescriptor(args: unknown): ToolGuess | undefined {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return undefined;
  let path: string | undefined;
  let oldText: string | undefined;
  let newText: string | undefined;
  let patch: string | undefined;
  let content: string | undefined;
  let command: string | undefined;
  let otherText = false;
  for (const [key, value] of Object.entries(args as Record<string, unknown>)) {
    const k = squash(key);
    if (PATH.has(k) && isText(value)) path ??= key;
    else if (OLD.has(k) && typeof value === 'string') oldText ??= key;
    else if (NEW.has(k) && typeof value === 'string') newText ??= key;
    else if (PATCH.has(k) && isText(value) && looksLikeDiff(value)) patch ??= key;
    else if (CONTENT.has(k) && typeof value === 'string') content ??= key;
    else if (COMMAND.has(k) && (isText(value) || (Array.isArray(value) && value.length > 0 && value.every(isText)))) command ??= key;
    else if (typeof value === 'string') otherText = true;
  }
  const at = path === undefined ? {} : { path };
  if (oldText !== undefined && newText !== undefined) return { looksLike: 'edit', descriptor: { kind: 'edit', ...at, oldText, newText } };
  if (patch !== undefined) return { looksLike: 'edit', descriptor: { kind: 'edit', ...at, patch } };
  if (path !== undefined && content !== undefined) return { looksLike: 'write', descriptor: { kind: 'write', path, content } };
  if (command !== undefined) return { looksLike: 'shell', descriptor: { kind: 'shell', command } };
  if (path !== undefined && !otherText && oldText === undefined && newText === undefined && content === undefined) return { looksLike: 'read', descriptor: { kind: 'read', path } };
  return undefined;
}
