/**
 * CP's spool file system (VM/370 spooling): virtual punches and printers
 * write spool files instead of cards and paper; a CLOSE of the device ends
 * the file and sends it where the device is spooled (a user's virtual
 * reader, or the system's real punch/printer queue); a virtual reader reads
 * the files in its user's reader queue, one file per "deck", with a unit
 * exception at end of file. TRANSFER moves a file between reader queues,
 * PURGE deletes files.
 */

/** A spool file: card images (punch/reader) or print lines. */
export interface SpoolFile {
  /** Spool id, unique in the system (VM/370 numbers them from 0001). */
  readonly id: number;
  /** Who created it. */
  readonly origin: string;
  /** Punch files hold 80-byte cards, printer files print lines (EBCDIC, carriage-control byte excluded). */
  readonly type: 'punch' | 'printer';
  readonly spoolClass: string;
  readonly records: Uint8Array[];
  /** Where it is queued: a userid's reader, or '*SYSTEM' (the real unit-record queue). */
  queue: string;
}

/** Where a virtual punch or printer sends its closed files (SPOOL vdev TO userid | SYSTEM). */
export interface SpoolTarget {
  to: string;
  spoolClass: string;
}

/** The system spool; one per CP. */
export class SpoolSystem {
  private nextId = 1;
  /** Every spool file still existing, by id. */
  readonly files = new Map<number, SpoolFile>();

  /** Create a spool file (CLOSE of a virtual punch or printer). */
  create(origin: string, type: 'punch' | 'printer', spoolClass: string, records: Uint8Array[], queue: string): SpoolFile {
    const f: SpoolFile = { id: this.nextId++, origin, type, spoolClass, records, queue };
    if (this.nextId > 9999) this.nextId = 1;
    this.files.set(f.id, f);
    return f;
  }

  /** The files in a user's reader queue, oldest first. */
  reader(userid: string): SpoolFile[] {
    return [...this.files.values()].filter((f) => f.queue === userid).sort((a, b) => a.id - b.id);
  }

  /** Files on the system's real unit-record queue. */
  system(): SpoolFile[] {
    return [...this.files.values()].filter((f) => f.queue === '*SYSTEM');
  }

  /** TRANSFER spoolid TO userid: returns false if the file is not in `from`'s reader. */
  transfer(id: number, from: string, to: string): boolean {
    const f = this.files.get(id);
    if (f === undefined || f.queue !== from) return false;
    f.queue = to;
    return true;
  }

  /** PURGE READER spoolid|ALL; returns how many files were purged. */
  purge(userid: string, id: number | 'ALL'): number {
    let n = 0;
    for (const f of [...this.files.values()]) {
      if (f.queue !== userid) continue;
      if (id !== 'ALL' && f.id !== id) continue;
      this.files.delete(f.id);
      n++;
    }
    return n;
  }

  /** Snapshot of the spool for CP snapshots. */
  snapshot(): { nextId: number; files: SpoolFile[] } {
    return { nextId: this.nextId, files: [...this.files.values()].map((f) => ({ ...f, records: f.records.map((r) => r.slice()) })) };
  }

  restore(s: { nextId: number; files: SpoolFile[] }): void {
    this.nextId = s.nextId;
    this.files.clear();
    for (const f of s.files) this.files.set(f.id, { ...f, records: f.records.map((r) => r.slice()) });
  }
}
