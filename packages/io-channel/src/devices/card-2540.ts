/**
 * IBM 2540 card read punch (on a 2821 control unit): the reader and the
 * punch are separate devices with their own device numbers. Cards are 80
 * columns, EBCDIC. Reader commands: READ X'02' (stacker-select variants
 * X'42'/X'82'/X'C2' read the same), FEED X'03'-class control, NOP, SENSE,
 * SENSE ID; after the last card the reader presents unit exception (end of
 * file). Punch commands: WRITE X'01' (and X'41'/X'81'/X'C1'), NOP, SENSE,
 * SENSE ID.
 *
 * Speeds (IBM 2540 Card Read Punch component description): 1000 cards per
 * minute read (60 ms per card), 300 cards per minute punched (200 ms).
 */
import type { CommandRequest, CommandResponse } from '../device';
import { fromEbcdic, toEbcdic } from '../ebcdic';
import { CE_DE, DS_UNIT_EXCEPTION } from '../status';
import { base64ToBytes, bytesToBase64 } from './snapshot-bytes';
import { UnitRecordDevice } from './unit-record';

/** A card as the host gives it: text (translated to EBCDIC, padded with blanks) or 80 raw EBCDIC bytes. */
export type Card = string | Uint8Array;

/** Turn a host card into its 80 EBCDIC columns. */
export function cardImage(card: Card): Uint8Array {
  const out = new Uint8Array(80).fill(0x40);
  out.set((typeof card === 'string' ? toEbcdic(card) : card).subarray(0, 80));
  return out;
}

/** Speeds of the 2540 (cards per minute); defaults are the 2540's ratings. */
export interface Card2540Options {
  readonly cardsPerMinute?: number;
}

/** The 2540's reader: cards from a host list, unit exception after the last. */
export class CardReader2540 extends UnitRecordDevice {
  readonly deviceType = 0x2540;
  readonly deviceModel = 0x00;
  readonly controlUnitType = 0x2821;
  readonly controlUnitModel = 0x00;
  private readonly hopper: Uint8Array[];
  private readonly usPerCard: number;

  constructor(cards: readonly Card[] = [], options: Card2540Options = {}) {
    super();
    this.hopper = cards.map(cardImage);
    this.usPerCard = 60e6 / (options.cardsPerMinute ?? 1000);
  }

  /** Put more cards in the hopper. */
  load(cards: readonly Card[]): void {
    for (const c of cards) this.hopper.push(cardImage(c));
  }

  get cardsLeft(): number {
    return this.hopper.length;
  }

  protected override saveState(): Record<string, unknown> {
    return { hopper: this.hopper.map(bytesToBase64) };
  }

  protected override loadState(o: Record<string, unknown>): void {
    this.hopper.length = 0;
    for (const c of (o.hopper as string[] | undefined) ?? []) this.hopper.push(base64ToBytes(c));
  }

  execute(req: CommandRequest): CommandResponse {
    const c = this.common(req.command);
    if (c !== null) return c;
    if ((req.command & 0x3f) === 0x02) {
      const card = this.hopper.shift();
      if (card === undefined) return { status: CE_DE | DS_UNIT_EXCEPTION, input: new Uint8Array(0), serviceUs: 0 };
      return { status: CE_DE, input: card, serviceUs: this.usPerCard };
    }
    return this.commandReject();
  }
}

/** The 2540's punch: punched cards collect in `cards`. */
export class CardPunch2540 extends UnitRecordDevice {
  readonly deviceType = 0x2540;
  readonly deviceModel = 0x00;
  readonly controlUnitType = 0x2821;
  readonly controlUnitModel = 0x00;
  /** Punched cards, 80 EBCDIC bytes each. */
  readonly cards: Uint8Array[] = [];
  private readonly usPerCard: number;

  constructor(options: Card2540Options = {}) {
    super();
    this.usPerCard = 60e6 / (options.cardsPerMinute ?? 300);
  }

  protected override saveState(): Record<string, unknown> {
    return { cards: this.cards.map(bytesToBase64) };
  }

  protected override loadState(o: Record<string, unknown>): void {
    this.cards.length = 0;
    for (const c of (o.cards as string[] | undefined) ?? []) this.cards.push(base64ToBytes(c));
  }

  /** The punched deck as host text, one line per card, trailing blanks removed. */
  text(): string[] {
    return this.cards.map((c) => fromEbcdic(c).trimEnd());
  }

  execute(req: CommandRequest): CommandResponse {
    const c = this.common(req.command);
    if (c !== null) return c;
    if ((req.command & 0x3f) === 0x01) {
      const data = req.data ?? new Uint8Array(0);
      this.cards.push(cardImage(data.subarray(0, 80)));
      return { status: CE_DE, accepted: Math.min(80, data.length), serviceUs: this.usPerCard };
    }
    return this.commandReject();
  }
}
