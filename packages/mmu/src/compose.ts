/**
 * Stacking translators: the address pipeline of 00-overview decision 4 is a
 * chain of layers, each mapping its input space to the next one's. compose()
 * makes one Translator of several, first layer first, so a CMS user under CP
 * in an LPAR is `compose(guestDat, shadowOrSieOrigin, zone)`.
 */
import type { Access, Translator, TranslationStatus } from '@strachey/isa-core';
import { WALK_FAULT } from './formats/walk-format';

/** A Translator that applies `layers` in order; a fault in any layer stops the chain with that layer's status. */
export class ComposedTranslator implements Translator {
  readonly name: string;
  readonly layers: readonly Translator[];
  /** Index of the layer that faulted last (-1 after a successful translation). */
  faultingLayer = -1;

  constructor(layers: readonly Translator[]) {
    this.layers = layers;
    this.name = layers.map((l) => l.name).join(' > ');
  }

  translate(address: number, access: Access, status: TranslationStatus): number {
    const layers = this.layers;
    let a = address;
    for (let i = 0; i < layers.length; i++) {
      a = layers[i]!.translate(a, access, status);
      if (a < 0) {
        this.faultingLayer = i;
        return WALK_FAULT;
      }
    }
    this.faultingLayer = -1;
    return a;
  }

  flush(): void {
    for (const l of this.layers) l.flush();
  }
}

/** Compose translators, first layer first: `compose(dat, shadow, zone)`. */
export function compose(...layers: Translator[]): ComposedTranslator {
  return new ComposedTranslator(layers);
}

/** The identity layer (DAT off, no relocation). */
export const identityTranslator: Translator = {
  name: 'identity',
  translate: (address: number) => address,
  flush: () => {},
};

/**
 * A fixed-offset layer with a bound, like the SIE main-storage origin and
 * extent: input addresses at or above `extent` take an addressing exception
 * (0x05); others map to `origin + address`.
 */
export function offsetTranslator(name: string, origin: number, extent: number): Translator {
  return {
    name,
    translate(address: number, _access: Access, status: TranslationStatus): number {
      if (address < 0 || address >= extent) {
        status.code = 0x05;
        status.exceptionId = 0;
        status.hostFault = false;
        return WALK_FAULT;
      }
      return origin + address;
    },
    flush() {},
  };
}
