/**
 * The bookkeeping every policy shares: id → entity record, dense slot numbers
 * (reused after removal) for the typed-array run queues, and the order in
 * which entities were added (so listings and policy switches are
 * deterministic).
 */
import { fail, OK, type Result } from './errors';
import type { EntityId, EntityInfo, EntityParams } from './types';
import { checkId } from './validate';

/** Fields every policy's entity record carries. */
export interface BaseEntity {
  readonly id: EntityId;
  readonly slot: number;
  readonly addedSeq: number;
  params: EntityParams;
  runnable: boolean;
  runtime: number;
}

/**
 * The record every policy keeps per entity, built from validated, cleaned
 * parameters; a policy with state of its own (virtual times, credit)
 * extends it.
 */
export class EntityRecord implements BaseEntity {
  params: EntityParams;
  runnable = false;
  runtime = 0;
  constructor(
    readonly id: EntityId,
    readonly slot: number,
    readonly addedSeq: number,
    params: EntityParams,
  ) {
    this.params = params;
  }
}

/** The error for an id no entity has. */
export function unknownId<T>(id: EntityId): Result<T> {
  return fail('UNKNOWN_ID', `no entity with id ${String(id)}`, id);
}

/** Entities of one scheduler by id and by slot (internal to the package). */
export class EntityTable<E extends BaseEntity> {
  private readonly byId = new Map<EntityId, E>();
  private readonly bySlot: (E | undefined)[] = [];
  private readonly free: number[] = [];
  private addCounter = 0;

  get size(): number {
    return this.byId.size;
  }

  /** Next slot a new entity will get (call before constructing it). */
  nextSlot(): number {
    return this.free.length > 0 ? this.free[this.free.length - 1]! : this.bySlot.length;
  }

  /** Sequence number for the next entity added. */
  nextAddSeq(): number {
    return this.addCounter;
  }

  /** Refuse ids that are malformed or already present. */
  checkNew(id: EntityId): Result<void> {
    const r = checkId(id);
    if (!r.ok) return r;
    if (this.byId.has(id)) return fail('DUPLICATE_ID', `entity ${id} already exists`, id);
    return OK;
  }

  insert(e: E): void {
    const slot = this.free.length > 0 ? this.free.pop()! : this.bySlot.length;
    if (slot !== e.slot) throw new Error('EntityTable: slot mismatch (construct with nextSlot())');
    this.bySlot[slot] = e;
    this.byId.set(e.id, e);
    this.addCounter++;
  }

  delete(e: E): void {
    this.byId.delete(e.id);
    this.bySlot[e.slot] = undefined;
    this.free.push(e.slot);
  }

  get(id: EntityId): E | undefined {
    return this.byId.get(id);
  }

  at(slot: number): E {
    return this.bySlot[slot]!;
  }

  /** All entities in the order they were added (a Map keeps insertion order). */
  list(): E[] {
    return [...this.byId.values()];
  }

  /** Iterate all entities in the order they were added, without copying. */
  values(): IterableIterator<E> {
    return this.byId.values();
  }

  info(e: E, running: boolean): EntityInfo {
    return { id: e.id, params: e.params, runnable: e.runnable, running, runtime: e.runtime };
  }
}
