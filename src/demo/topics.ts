/** The demo platform's topics: bilingual tags and caption phrases, as creators really mix them. */
export interface DemoTopic {
  id: string;
  zh: string;
  en: string;
  phrases: readonly string[];
  emoji: readonly string[];
}

export const DEMO_TOPICS: readonly DemoTopic[] = [
  {
    id: 'beauty',
    zh: '美妆',
    en: 'makeup',
    phrases: [
      '口红试色 lipstick swatch',
      '底妆教程 foundation routine',
      '眼影盘测评',
      '护肤 skincare 晨间流程',
      '卸妆小技巧',
      '腮红 blush 新手必看',
    ],
    emoji: ['💄', '✨', '💋'],
  },
  {
    id: 'retro',
    zh: '复古游戏',
    en: 'retrogaming',
    phrases: [
      '俄罗斯方块 Tetris 高分',
      '红白机 NES 回忆',
      '超级马里奥 speedrun',
      '街机 arcade 探店',
      'GameBoy 改装',
      '像素游戏 pixel art 评测',
    ],
    emoji: ['🎮', '👾', '🕹️'],
  },
  {
    id: 'food',
    zh: '美食',
    en: 'food',
    phrases: [
      '家常红烧肉',
      '街头小吃 street food',
      '五分钟早餐 breakfast',
      '火锅 hotpot 测评',
      '手冲咖啡 pour-over',
      '烘焙 baking 入门',
    ],
    emoji: ['🍜', '🍰', '🔥'],
  },
  {
    id: 'tech',
    zh: '数码',
    en: 'tech',
    phrases: [
      '手机 review 上手',
      '机械键盘 keyboard 开箱',
      '笔记本 laptop 对比',
      '耳机 earbuds 评测',
      '桌面改造 desk setup',
      '芯片 chip 解读',
    ],
    emoji: ['📱', '💻', '⚡'],
  },
  {
    id: 'hiking',
    zh: '徒步',
    en: 'hiking',
    phrases: [
      '雪山徒步 trail',
      '露营 camping vlog',
      '装备清单 gear list',
      '日出 sunrise 登顶',
      '森林 forest 步道',
      '轻量化 ultralight 背包',
    ],
    emoji: ['🏔️', '🌲', '⛺'],
  },
  {
    id: 'fitness',
    zh: '健身',
    en: 'fitness',
    phrases: [
      '居家训练 home workout',
      '深蹲 squat 教学',
      '跑步 running 配速',
      '拉伸 stretching 十分钟',
      '增肌餐 meal prep',
      '瑜伽 yoga 入门',
    ],
    emoji: ['💪', '🏃', '🧘'],
  },
  {
    id: 'pets',
    zh: '萌宠',
    en: 'pets',
    phrases: [
      '猫咪日常 cat vlog',
      '狗狗 dog 训练',
      '仓鼠 hamster 搞笑',
      '柯基 corgi 出门',
      '猫咪 cat 拆家',
      '宠物 pet 体检',
    ],
    emoji: ['🐱', '🐶', '🐹'],
  },
  {
    id: 'music',
    zh: '音乐',
    en: 'music',
    phrases: [
      '吉他 guitar 弹唱',
      '钢琴 piano 翻弹',
      '街头 busking 现场',
      '编曲 beat making',
      '古筝 guzheng 演奏',
      '翻唱 cover 合集',
    ],
    emoji: ['🎸', '🎹', '🎵'],
  },
  {
    id: 'travel',
    zh: '旅行',
    en: 'travel',
    phrases: [
      '城市漫步 city walk',
      '古镇 old town 攻略',
      '海边 beach 日落',
      '自驾 road trip',
      '小众景点 hidden gems',
      '旅行 vlog 第一天',
    ],
    emoji: ['✈️', '🏝️', '🗺️'],
  },
  {
    id: 'art',
    zh: '绘画',
    en: 'art',
    phrases: [
      '水彩 watercolor 教程',
      '梵高风格 Van Gogh style',
      '素描 sketch 练习',
      '数字绘画 digital art',
      '油画 oil painting 过程',
      '插画 illustration 分享',
    ],
    emoji: ['🎨', '🖌️', '🖼️'],
  },
];

/** Captions with no real information: the engine must not pretend to know what these are. */
export const LOW_INFORMATION_CAPTIONS: readonly string[] = [
  '',
  '🔥🔥🔥',
  '0101101001',
  '😂😂😂😂',
  '...',
  '123456789',
  '👀',
  '  ',
];
