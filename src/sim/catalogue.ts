import { createRandom } from '../core/random.js';
import { readKuaiRecVideos } from '../import/kuairec.js';

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
 * The KuaiRec video catalogue (Gao et al., CIKM 2022) as simulated items: the importer's reading of
 * the videos, with the caption (cut to 300 characters), and the first- and second-level category
 * names as tags. Videos with no first-level category are kept, filed under `UNKNOWN`.
 *
 * @example
 * const items = readKuaiRecCatalogue(defaultKuaiRecDir()); // 10,728 items
 */
export function readKuaiRecCatalogue(dir: string): SimItem[] {
  return readKuaiRecVideos(dir).map((video) => {
    const tags = [video.category, video.secondLevel].filter((tag) => tag !== undefined);
    const item: SimItem = {
      id: `kr${video.id}`,
      tags: [...new Set(tags)],
      category: video.category ?? UNKNOWN,
    };
    if (video.caption !== undefined) item.caption = [...video.caption].slice(0, 300).join('');
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
