/** A column of a rendered table: header, cell text, right-aligned for numbers. */
export interface Column<T> {
  header: string;
  cell: (row: T) => string;
  align?: 'left' | 'right';
}

export type TableFormat = 'table' | 'md';

const width = (s: string) => [...s].length;
const pad = (s: string, w: number, align: 'left' | 'right' = 'left') => (align === 'right' ? ' '.repeat(w - width(s)) + s : s + ' '.repeat(w - width(s)));

/** A terminal table (aligned, ruled header) or a Markdown pipe table for PR comments and wikis. */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[], format: TableFormat = 'table'): string {
  const cells = rows.map((r) => columns.map((c) => c.cell(r)));
  if (format === 'md') {
    const esc = (s: string) => s.replace(/\|/g, '\\|');
    const head = `| ${columns.map((c) => esc(c.header)).join(' | ')} |`;
    const rule = `| ${columns.map((c) => (c.align === 'right' ? '---:' : '---')).join(' | ')} |`;
    return [head, rule, ...cells.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n') + '\n';
  }
  const widths = columns.map((c, i) => Math.max(width(c.header), ...cells.map((r) => width(r[i]!))));
  const line = (r: string[]) => r.map((s, i) => pad(s, widths[i]!, columns[i]!.align)).join('  ').trimEnd();
  return [line(columns.map((c) => c.header)), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.map(line)].join('\n') + '\n';
}
