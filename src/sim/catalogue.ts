import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRandom } from '../core/random.js';
import { KUAIREC_CAPTIONS } from '../import/kuairec.js';
import { parseCsvRows } from '../import/rows.js';

/** One item of a simulated catalogue. */
export interface SimItem {
  id: string;
  caption?: string;
  /** First- and second-level category names. */
  tags: string[];
  /** The first-level category: what simulated tastes are defined over. */
  category: string;
}

const UNKNOWN = 'UNKNOWN';

/**
 * Reads the KuaiRec video catalogue (Gao et al., CIKM 2022): captions, and first- and second-level
 * category names as tags. Videos with no first-level category are kept, filed under `UNKNOWN`.
 *
 * @example
 * const items = readKuaiRecCatalogue(defaultKuaiRecDir()); // 10,728 items
 */
export function readKuaiRecCatalogue(dir: string): SimItem[] {
  const { rows, errors } = parseCsvRows(readFileSync(join(dir, KUAIREC_CAPTIONS), 'utf8'));
  if (errors.length > 0) {
    const e = errors[0]!;
    throw new Error(`${join(dir, KUAIREC_CAPTIONS)}:${e.line}: ${e.message}`);
  }
  return rows.map(({ value }) => {
    const first = String(value.first_level_category_name ?? UNKNOWN).trim();
    const second = String(value.second_level_category_name ?? UNKNOWN).trim();
    const tags = [first, second].filter((t) => t !== UNKNOWN && t !== '');
    const item: SimItem = { id: `kr${value.video_id}`, tags: [...new Set(tags)], category: first || UNKNOWN };
    const caption = typeof value.caption === 'string' ? value.caption.trim() : '';
    if (caption !== '') item.caption = [...caption].slice(0, 300).join('');
    return item;
  });
}

/**
 * A small synthetic catalogue for tests: `categories` first-level categories of skewed sizes, each
 * with three sub-categories.
 *
 * @example
 * generateCatalogue({ items: 300, categories: 8, seed: 1 });
 */
export function generateCatalogue(options: { items: number; categories: number; seed: number }): SimItem[] {
  const rng = createRandom(options.seed);
  const weights = Array.from({ length: options.categories }, (_, c) => 1 / (c + 1) ** 0.7);
  const total = weights.reduce((a, b) => a + b, 0);
  const out: SimItem[] = [];
  for (let k = 0; k < options.items; k++) {
    let r = rng.next() * total;
    let c = 0;
    while (c < weights.length - 1 && r >= weights[c]!) r -= weights[c++]!;
    const sub = rng.int(3);
    out.push({
      id: `g${k}`,
      tags: [`cat${c}`, `cat${c}/sub${sub}`],
      category: `cat${c}`,
      caption: `item ${k}`,
    });
  }
  return out;
}
