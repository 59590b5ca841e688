import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import {
  defaultKuaiRecDir,
  hasKuaiRecData,
  readKuaiRandVideoAuthors,
  readKuaiRecCatalog,
  readKuaiRecVideos,
} from './kuairec.js';
import { parseCsv } from './parse-csv.js';

const fixtureDir = mkdtempSync(join(tmpdir(), 'setlist-kuairec-'));
after(() => rmSync(fixtureDir, { recursive: true, force: true }));
writeFileSync(
  join(fixtureDir, 'kuairec_caption_category.csv'),
  [
    'video_id,manual_cover_text,caption,topic_tag,first_level_category_id,first_level_category_name,second_level_category_id,second_level_category_name,third_level_category_id,third_level_category_name',
    '0,UNKNOWN,精神小伙路难走,[],8,颜值,673,颜值随拍,-124,UNKNOWN',
    '1,UNKNOWN,,[],27,高新数码,-124,UNKNOWN,-124,UNKNOWN',
    '4,五爱街最美美女,#搞笑 #五爱市场 这真是完美搭配啊！,"[五爱市场,搞笑]",5,时尚,737,营销售卖,2596,女装',
    '1378,UNKNOWN,张凯教练：“开启一段王朝\r！”,[],6,明星娱乐,-124,UNKNOWN,-124,UNKNOWN',
    '9,UNKNOWN,豪车！\r ,[],-124,UNKNOWN,-124,UNKNOWN,-124,UNKNOWN',
    '',
  ].join('\n'),
);
writeFileSync(
  join(fixtureDir, 'item_categories.csv'),
  'video_id,feat\n0,[8]\n1,"[27, 9]"\n4,[5]\n1378,[6]\n9,[18]\n',
);

test('a caption with a bare carriage return stays one record', () => {
  const videos = readKuaiRecVideos(fixtureDir);
  assert.deepEqual(
    videos.map((v) => v.id),
    ['0', '1', '4', '1378', '9'],
  );
  assert.equal(videos[3]!.caption, '张凯教练：“开启一段王朝\n！”');
  assert.equal(videos[3]!.category, '明星娱乐');
});

test('videos keep cover text, topic tags, categories and feature tags apart', () => {
  const video = readKuaiRecVideos(fixtureDir)[2]!;
  assert.deepEqual(video, {
    id: '4',
    coverText: '五爱街最美美女',
    caption: '#搞笑 #五爱市场 这真是完美搭配啊！',
    topicTags: ['五爱市场', '搞笑'],
    category: '时尚',
    subcategories: ['营销售卖', '女装'],
    secondLevel: '营销售卖',
    featureTagIds: [5],
  });
});

test('catalog items carry category names as tags and leave unknowns out', () => {
  const items = readKuaiRecCatalog(fixtureDir);
  assert.deepEqual(items[0], {
    id: '0',
    caption: '精神小伙路难走',
    tags: ['颜值', '颜值随拍'],
    category: '颜值',
  });
  assert.deepEqual(items[1], { id: '1', tags: ['高新数码'], category: '高新数码' });
  assert.equal(items[2]!.caption, '五爱街最美美女\n#搞笑 #五爱市场 这真是完美搭配啊！');
  assert.deepEqual(items[4], { id: '9', caption: '豪车！', tags: [] });
});

test('SETLIST_DATA_DIR names either the kuairec folder or its parent', () => {
  assert.equal(defaultKuaiRecDir({ SETLIST_DATA_DIR: fixtureDir }), fixtureDir);
  assert.equal(defaultKuaiRecDir({ SETLIST_DATA_DIR: '/data' }), resolve('/data', 'kuairec'));
});

test('a missing column is reported by name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'setlist-kuairec-bad-'));
  try {
    writeFileSync(join(dir, 'kuairec_caption_category.csv'), 'video_id,caption\n0,x\n');
    writeFileSync(join(dir, 'item_categories.csv'), 'video_id,feat\n0,[1]\n');
    assert.throws(() => readKuaiRecVideos(dir), /no column "manual_cover_text"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Tests on the real files: required in CI, skipped with a message elsewhere.
const realDir = defaultKuaiRecDir();
const realPresent = hasKuaiRecData(realDir);
const realData =
  realPresent || process.env.CI === 'true'
    ? {}
    : { skip: `KuaiRec data not found in ${realDir}; set SETLIST_DATA_DIR to run this test` };
const requireReal = (): void => {
  if (!realPresent) assert.fail(`KuaiRec data not found in ${realDir}: CI needs it (set SETLIST_DATA_DIR)`);
};

test('the real KuaiRec file parses into 10,728 videos with 38 named first-level categories', realData, () => {
  requireReal();
  const videos = readKuaiRecVideos(realDir);
  assert.equal(videos.length, 10728);
  assert.equal(new Set(videos.map((v) => v.category).filter((c) => c !== undefined)).size, 38);
  for (const id of ['1378', '1613', '5910', '6331']) assert.equal(videos[Number(id)]!.id, id);
  assert.equal(videos[2418]!.coverText, '被小可爱发现了');
  assert.deepEqual(videos[2418]!.subcategories, ['宠物日常记录', '宠物狗']);
});

test('KuaiRand video ids do not name the same videos as KuaiRec ids', realData, () => {
  requireReal();
  const authors = readKuaiRandVideoAuthors(resolve(realDir, '..', 'kuairand-pure'));
  assert.equal(authors.size, 7583);
  assert.equal(new Set(authors.values()).size, 6510);
  // The same id has a different duration in the two datasets, every time.
  const durationOf = (path: string): Map<string, number> => {
    const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
    const id = header!.indexOf('video_id');
    const ms = header!.indexOf('video_duration');
    return new Map(rows.filter((r) => r[ms] !== '').map((r) => [r[id]!, Number(r[ms])]));
  };
  const rec = durationOf(join(realDir, 'big_matrix_head1000.csv'));
  const rand = durationOf(resolve(realDir, '..', 'kuairand-pure', 'video_features_basic_pure.csv'));
  const shared = [...rec.keys()].filter((id) => rand.has(id));
  assert.ok(shared.length > 600);
  assert.equal(shared.filter((id) => Math.abs(rec.get(id)! - rand.get(id)!) < 1).length, 0);
});
