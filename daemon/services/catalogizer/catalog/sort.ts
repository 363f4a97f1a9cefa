/** Case- and accent-insensitive natural name key, cached per item object. */
import type { Item } from '../../../domain/types.js';

const cache = new WeakMap<Item, string>();

export function nameKeyOf(item: Item): string {
  let k = cache.get(item);
  if (k === undefined) {
    k = item.name.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase()
      .replace(/\d+/g, (d) => String.fromCharCode(0x30 + Math.min(d.replace(/^0+(?=\d)/, '').length, 40)) + d.replace(/^0+(?=\d)/, ''));
    cache.set(item, k);
  }
  return k;
}
