import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scopeWhere } from '@fulcrum/query';
import { sessionActivitySql } from '@fulcrum/store';

// Every read must be scoped to the caller's project, or one team sees another's data.
const QUERY_SRC = join(import.meta.dirname, '../../packages/query/src');
const BINDING = 'Project = {project:String}';
const TABLES = /\bFROM\s+(spans|spans_trace|session_metrics|session_summaries|span_verdicts|session_activity|api_keys|otel_\w+|\$\{[A-Z_]*TABLE[^}]*\}|\$\{table\})(?!\w)(\s+FINAL)?/g;
/** A WHERE that binds the project: literally, or through the scopeWhere() result every query builds (checked below). */
const SCOPED = /^\s*(?:AS\s+\w+\s+)?WHERE\s+(?:Project\s*=\s*\{project:String\}|\$\{where(?:\.sql)?\})/;
/**
 * The analyser alone serves every project (it finds pending sessions store-wide,
 * then binds each session's project for every read and write); its reads say so.
 */
const ANALYSER_FILES = new Set(['engine/analyse.ts']);
const ALL_PROJECTS = /^\s*(?:AS\s+\w+\s+)?WHERE\s+\(?\{project:String\} = '' OR (?:\w+\.)?Project = \{project:String\}/;

export interface Violation {
  file: string;
  line: number;
  text: string;
}

/** Finds table reads not followed by a project-bound WHERE. */
export function unscopedReads(file: string, source: string): Violation[] {
  const out: Violation[] = [];
  for (const m of source.matchAll(TABLES)) {
    const after = source.slice(m.index! + m[0].length);
    if (!SCOPED.test(after) && !(ANALYSER_FILES.has(file) && ALL_PROJECTS.test(after))) out.push({ file, line: source.slice(0, m.index).split('\n').length, text: source.slice(m.index, m.index! + 80).split('\n')[0]! });
  }
  return out;
}

/** Every assignment to a `where` variable in the package comes from scopeWhere(), the one place the binding is built. */
export function foreignWheres(file: string, source: string): Violation[] {
  const out: Violation[] = [];
  for (const m of source.matchAll(/\b(?:const|let|var)\s+where\s*=\s*([^;\n]+)/g)) {
    if (!/^scopeWhere\(/.test(m[1]!)) out.push({ file, line: source.slice(0, m.index).split('\n').length, text: m[0] });
  }
  return out;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('tenant isolation: every query in packages/query binds the project', () => {
  const files = tsFiles(QUERY_SRC).map((f) => ({ file: f.slice(QUERY_SRC.length + 1), source: readFileSync(f, 'utf8') }));

  it('finds the table reads it is meant to check (the scan is not vacuous)', () => {
    const reads = files.flatMap((f) => [...f.source.matchAll(TABLES)]);
    expect(reads.length).toBeGreaterThanOrEqual(5);
  });

  it('no table read lacks WHERE Project = {project:String} (directly or via scopeWhere)', () => {
    expect(files.flatMap((f) => unscopedReads(f.file, f.source))).toEqual([]);
  });

  it('every `where` fed into SQL is built by scopeWhere()', () => {
    expect(files.flatMap((f) => foreignWheres(f.file, f.source))).toEqual([]);
  });

  it('scopeWhere() always puts the project binding first and refuses a scope without a project', () => {
    expect(scopeWhere({ project: 'a', team: 't', sessionId: "x' OR 1=1 --" }).sql.startsWith(BINDING)).toBe(true);
    expect(scopeWhere({ project: 'a', team: 't' }).params).toMatchObject({ project: 'a' });
    expect(() => scopeWhere({ project: '' })).toThrow();
    expect(sessionActivitySql()).toContain(`WHERE ${BINDING}`);
  });

  it('the checker flags deliberately bad samples', () => {
    expect(unscopedReads('bad.ts', 'const q = `SELECT * FROM spans FINAL WHERE SessionId = {s:String}`;')).toHaveLength(1);
    expect(unscopedReads('bad.ts', 'const q = `SELECT count() FROM session_metrics GROUP BY SessionId`;')).toHaveLength(1);
    expect(unscopedReads('bad.ts', 'const q = `SELECT * FROM ${SPANS_TABLE} WHERE Team = {team:String}`;')).toHaveLength(1);
    expect(foreignWheres('bad.ts', "const where = { sql: 'Team = {team:String}', params };")).toHaveLength(1);
    // ...and passes good ones, so it is not simply failing everything.
    expect(unscopedReads('ok.ts', 'const q = `SELECT * FROM spans FINAL WHERE Project = {project:String} AND x`;')).toEqual([]);
    expect(unscopedReads('ok.ts', 'const q = `SELECT * FROM spans FINAL WHERE ${where.sql}`;')).toEqual([]);
  });
});
