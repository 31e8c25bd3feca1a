import { describe, expect, it } from 'vitest';
import { makeEvent, T0 } from './testing/fixtures.js';
import { CascadeBudget, CascadeTrim, cascades, isAsset, isPageView, type PageView } from './cascade.js';

describe('page views and assets', () => {
  const cases: [string, string, number, boolean, boolean][] = [
    ['GET', '/', 200, true, false],
    ['GET', '/shop/item.php', 200, true, false],
    ['HEAD', '/about', 301, true, false],
    ['GET', '/app.css', 200, false, true],
    ['GET', '/img/logo.PNG', 200, false, true],
    ['GET', '/video', 206, false, true],
    ['GET', '/page', 304, false, true],
    ['GET', '/missing', 404, false, false],
    ['POST', '/login', 200, false, false],
    ['GET', '/v1.2/items', 200, true, false],
    ['GET', '/api/cart', 200, false, false],
  ];
  it.each(cases)('%s %s %d: page %s, asset %s', (method, path, status, page, asset) => {
    expect(isPageView({ method, path, status })).toBe(page);
    expect(isAsset({ path, status })).toBe(asset);
  });

  it('hands back the assets before an IP first page view in the batch, within the gap of each other', () => {
    let n = 0;
    const ev = (at: number, path: string) => makeEvent(`c-${++n}`, { ip: '10.0.0.1', time: T0 + at, path });
    const r = cascades([ev(0, '/a.css'), ev(500, '/b.js'), ev(20_000, '/c.png'), ev(21_000, '/page'), ev(21_100, '/d.css')]);
    expect(r.leading).toEqual([{ ip: '10.0.0.1', firstTime: T0, lastTime: T0 + 500, count: 2, paths: ['/a.css', '/b.js'] }]);
    expect(r.pages.map((p) => [p.path, p.subCount])).toEqual([['/page', 1]]);
  });
});

describe('CascadeTrim', () => {
  const pages = (ip: string, n: number) => Array.from({ length: n }, () => ({ ip }) as PageView);
  it('names an IP once it has written the bound since its last trim', () => {
    const trim = new CascadeTrim(5, 100);
    expect(trim.due(pages('a', 3))).toEqual([]);
    expect(trim.due([...pages('a', 2), ...pages('b', 1)])).toEqual(['a']);
    expect(trim.due(pages('a', 4))).toEqual([]);
    expect(trim.due(pages('a', 1))).toEqual(['a']);
  });

  it('trims every IP of the batch when its counts would outgrow its bound, and starts again', () => {
    const trim = new CascadeTrim(5, 2);
    expect(trim.due([...pages('a', 1), ...pages('b', 1)])).toEqual([]);
    expect(trim.due(pages('c', 1))).toEqual(['c']);
    expect(trim.due(pages('a', 1))).toEqual([]);
  });
});

describe('CascadeBudget', () => {
  const page = (ip: string, time: number) => ({ ip, time }) as PageView;
  it('admits the first page views of each IP and hour, across batches', () => {
    const budget = new CascadeBudget(2, 100);
    const h = 3_600_000;
    expect(budget.admit([page('a', 0), page('b', 1), page('a', 2)]).length).toBe(3);
    expect(budget.admit([page('a', 3), page('b', 4), page('a', h)]).map((p) => [p.ip, p.time])).toEqual([
      ['b', 4],
      ['a', h],
    ]);
  });
});
