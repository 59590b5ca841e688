import Database from 'better-sqlite3';
const db = new Database('/tmp/prof/s5.db', { readonly: true });
const N = 2_000_000, PAGE = 10_000;
const variants: Record<string, () => void> = {
  star_objects() {
    const st = db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
    let after = 0, n = 0;
    while (n < N) { const rows = st.all(after, PAGE) as any[]; const ev = rows.map((r) => { const e: any = { seq: r.seq, userId: r.user_id, itemId: r.item_id, type: r.type, at: r.at, receivedAt: r.received_at }; if (r.id !== null) e.id = r.id; if (r.watch_ms !== null) e.watchMs = r.watch_ms; if (r.watch_ratio !== null) e.watchRatio = r.watch_ratio; return e; }); after = ev[ev.length - 1].seq; n += ev.length; }
  },
  cols_objects() {
    const st = db.prepare('SELECT seq, id, user_id, item_id, type, at, watch_ms, watch_ratio, received_at FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
    let after = 0, n = 0;
    while (n < N) { const rows = st.all(after, PAGE) as any[]; const ev = rows.map((r) => { const e: any = { seq: r.seq, userId: r.user_id, itemId: r.item_id, type: r.type, at: r.at, receivedAt: r.received_at }; if (r.id !== null) e.id = r.id; if (r.watch_ms !== null) e.watchMs = r.watch_ms; if (r.watch_ratio !== null) e.watchRatio = r.watch_ratio; return e; }); after = ev[ev.length - 1].seq; n += ev.length; }
  },
  cols_raw() {
    const st = db.prepare('SELECT seq, id, user_id, item_id, type, at, watch_ms, watch_ratio, received_at FROM events WHERE seq > ? ORDER BY seq LIMIT ?').raw(true);
    let after = 0, n = 0;
    while (n < N) { const rows = st.all(after, PAGE) as any[][]; const ev = rows.map((r) => { const e: any = { seq: r[0], userId: r[2], itemId: r[3], type: r[4], at: r[5], receivedAt: r[8] }; if (r[1] !== null) e.id = r[1]; if (r[6] !== null) e.watchMs = r[6]; if (r[7] !== null) e.watchRatio = r[7]; return e; }); after = ev[ev.length - 1].seq; n += ev.length; }
  },
  query_only_star() {
    const st = db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
    let after = 0, n = 0;
    while (n < N) { const rows = st.all(after, PAGE) as any[]; after = rows[rows.length - 1].seq; n += rows.length; }
  },
};
console.log(db.prepare("SELECT sql FROM sqlite_master WHERE name='events'").get());
for (let round = 0; round < 2; round++) for (const [name, f] of Object.entries(variants)) {
  const t = performance.now(); f(); const ms = performance.now() - t;
  console.log(round, name.padEnd(16), (ms * 1000 / N).toFixed(2), 'us/event');
}
