/** Line counting for edits: string replacements, unified diffs and Codex patches. */

export interface LineDelta {
  linesAdded: number;
  linesRemoved: number;
}

export interface PatchStats extends LineDelta {
  /** Files the patch touches, in order. */
  files: string[];
  /** True when every file operation creates a file. */
  onlyAdds: boolean;
  /** True when every file operation deletes a file. */
  onlyDeletes: boolean;
}

/** Number of lines in s: '' → 0, 'a' → 1, 'a\n' → 1, 'a\nb' → 2. */
export function countLines(s: string): number {
  if (!s) return 0;
  let n = 1;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return s.endsWith('\n') ? n - 1 : n;
}

function splitLines(s: string): string[] {
  if (!s) return [];
  const lines = s.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Lines added and removed replacing oldText by newText, common leading and trailing lines excluded. */
export function lineDelta(oldText: string, newText: string): LineDelta {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  return { linesAdded: endB - start, linesRemoved: endA - start };
}

/** True for a Codex `*** Begin Patch` body. */
export function isCodexPatch(s: string): boolean {
  return s.trimStart().startsWith('*** Begin Patch');
}

/** A patch line that is a header, not a line added or removed: `*** …` in a Codex patch, `---`/`+++` (and `*** `) in a unified diff. */
function isHeader(line: string, codex: boolean): boolean {
  return line.startsWith('*** ') || (!codex && (line.startsWith('+++ ') || line.startsWith('--- ')));
}

/**
 * Counts a Codex apply_patch body or a unified diff. A Codex patch names files
 * by `*** Add File:`, `*** Update File:` (its `*** Move to:` target too) and
 * `*** Delete File:`; a unified diff by its `+++` headers. Lines added are the
 * `+` lines and lines removed the `-` lines, headers and `@@` lines excluded.
 */
export function patchStats(patch: string): PatchStats {
  const stats: PatchStats = { linesAdded: 0, linesRemoved: 0, files: [], onlyAdds: true, onlyDeletes: true };
  const codex = isCodexPatch(patch) || /^\*\*\* (?:Add|Update|Delete) File: /m.test(patch);
  let sawOp = false;
  for (const line of patch.split('\n')) {
    if (isHeader(line, codex)) {
      const op = /^\*\*\* (Add|Update|Delete) File: (.+)$/.exec(line);
      if (op) {
        sawOp = true;
        stats.files.push(op[2]!.trim());
        if (op[1] !== 'Add') stats.onlyAdds = false;
        if (op[1] !== 'Delete') stats.onlyDeletes = false;
      }
      const move = /^\*\*\* Move to: (.+)$/.exec(line);
      if (move && !stats.files.includes(move[1]!.trim())) stats.files.push(move[1]!.trim());
      const file = codex ? null : /^\+\+\+ (?:b\/)?(\S+)/.exec(line);
      if (file && file[1] !== '/dev/null') stats.files.push(file[1]!);
      continue;
    }
    if (line.startsWith('+')) stats.linesAdded++;
    else if (line.startsWith('-')) stats.linesRemoved++;
  }
  if (!sawOp) stats.onlyAdds = stats.onlyDeletes = false;
  return stats;
}

/**
 * The lines a patch removes and adds, without their `-`/`+` marks, each set
 * joined with newlines (headers excluded as in patchStats; context lines are
 * in neither, so a patch and its reverse swap texts).
 */
export function patchTexts(patch: string): { removed: string; added: string } {
  const removed: string[] = [];
  const added: string[] = [];
  const codex = isCodexPatch(patch) || /^\*\*\* (?:Add|Update|Delete) File: /m.test(patch);
  for (const line of patch.split('\n')) {
    if (isHeader(line, codex)) continue;
    if (line.startsWith('+')) added.push(line.slice(1));
    else if (line.startsWith('-')) removed.push(line.slice(1));
  }
  return { removed: removed.join('\n'), added: added.join('\n') };
}
