/**
 * File-system helpers the commands share.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p`: create `dir` and its missing parents, one level at a time.
 * Not `mkdirSync(dir, { recursive: true })`: on Node 20 that loops forever,
 * at full CPU, under a parent that exists but cannot hold new entries (a path
 * in /proc: ENOENT for the child, EEXIST for the parent, again and again).
 * Here the first level that cannot be made throws its error.
 */
export function makeDirectories(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) mkdirSync(d);
}

/**
 * What went wrong in a file-system call, without the path Node appends
 * (", open '/dir/.name.1234.tmp'"): the diagnostic names the file the user
 * gave, and the temporary file of an atomic write means nothing to them.
 */
export function fsErrorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/, \w+ '[^']*'(?: -> '[^']*')?$/, '');
}
