/**
 * Checking a parsed directory against the real volumes CP owns: every
 * minidisk must lie on a known volume and inside it, no two minidisks may
 * share a cylinder (an overlap is reported at both statements), and every
 * LINK must name an existing user's minidisk. This is what DIRECTXA and
 * DirMaint check before a directory goes online.
 */
import type { Directory, DirectoryError, DirectoryResult, MdiskStatement, VolumeInfo } from './types';

/** A minidisk with its extent resolved against its volume. */
export interface ResolvedMinidisk {
  readonly owner: string;
  readonly vdev: number;
  readonly volser: string;
  readonly startCylinder: number;
  readonly cylinders: number;
  readonly statement: MdiskStatement;
}

/** Validate minidisks and links; returns every minidisk extent, keyed `USERID vdev`. */
export function validateDirectory(
  directory: Directory,
  volumes: readonly VolumeInfo[],
): DirectoryResult<ReadonlyMap<string, ResolvedMinidisk>> {
  const errors: DirectoryError[] = [];
  const byVolser = new Map(volumes.map((v) => [v.volser.toUpperCase(), v]));
  const extents = new Map<string, ResolvedMinidisk>();
  const perVolume = new Map<string, ResolvedMinidisk[]>();
  for (const user of directory.users.values()) {
    for (const d of user.devices) {
      if (d.kind !== 'mdisk') continue;
      const vol = byVolser.get(d.volser);
      if (vol === undefined) {
        errors.push({
          code: 'UNKNOWN_VOLUME',
          file: d.file,
          line: d.line,
          column: d.column,
          message: `minidisk ${user.userid} ${hex(d.vdev)} is on volume ${d.volser}, which CP does not have`,
          expected: volumes.length > 0 ? volumes.map((v) => v.volser).join(', ') : 'a volume CP owns',
          found: d.volser,
        });
        continue;
      }
      const cylinders = d.cylinders === 'END' ? vol.cylinders - d.startCylinder : d.cylinders;
      if (d.startCylinder >= vol.cylinders || cylinders <= 0 || d.startCylinder + cylinders > vol.cylinders) {
        errors.push({
          code: 'MDISK_OUTSIDE_VOLUME',
          file: d.file,
          line: d.line,
          column: d.column,
          message: `minidisk ${user.userid} ${hex(d.vdev)} (cylinders ${d.startCylinder}-${d.startCylinder + Math.max(cylinders, 1) - 1}) does not fit volume ${vol.volser}`,
          expected: `cylinders within 0-${vol.cylinders - 1}`,
          found: `${d.startCylinder} + ${d.cylinders}`,
        });
        continue;
      }
      const md: ResolvedMinidisk = { owner: user.userid, vdev: d.vdev, volser: vol.volser, startCylinder: d.startCylinder, cylinders, statement: d };
      extents.set(`${user.userid} ${d.vdev}`, md);
      const list = perVolume.get(vol.volser) ?? [];
      list.push(md);
      perVolume.set(vol.volser, list);
    }
  }
  for (const list of perVolume.values()) {
    const sorted = [...list].sort((a, b) => a.startCylinder - b.startCylinder || a.statement.line - b.statement.line);
    for (let i = 0; i < sorted.length; i++) {
      const a = sorted[i]!;
      for (let j = i + 1; j < sorted.length; j++) {
        const b = sorted[j]!;
        if (b.startCylinder >= a.startCylinder + a.cylinders) break;
        const [first, second] = a.statement.line <= b.statement.line ? [a, b] : [b, a];
        errors.push({
          code: 'MDISK_OVERLAP',
          file: second.statement.file,
          line: second.statement.line,
          column: second.statement.column,
          message: `minidisk ${second.owner} ${hex(second.vdev)} (cylinders ${second.startCylinder}-${second.startCylinder + second.cylinders - 1}) overlaps ${first.owner} ${hex(first.vdev)} (cylinders ${first.startCylinder}-${first.startCylinder + first.cylinders - 1}) on ${a.volser}`,
          expected: 'disjoint cylinder extents',
          found: `overlap at cylinder ${Math.max(a.startCylinder, b.startCylinder)}`,
          related: { file: first.statement.file, line: first.statement.line, column: first.statement.column },
        });
      }
    }
  }
  for (const user of directory.users.values()) {
    for (const d of user.devices) {
      if (d.kind !== 'link') continue;
      const owner = directory.users.get(d.owner);
      const target = owner?.devices.find((x) => x.vdev === d.ownerVdev && x.kind === 'mdisk');
      if (target === undefined) {
        errors.push({
          code: 'LINK_TARGET',
          file: d.file,
          line: d.line,
          column: d.column,
          message: owner ? `user ${d.owner} has no minidisk ${hex(d.ownerVdev)}` : `no user ${d.owner} in the directory`,
          expected: owner ? 'a minidisk of that user' : 'an existing userid',
          found: `${d.owner} ${hex(d.ownerVdev)}`,
        });
      }
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: extents };
}

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(3, '0');
}
