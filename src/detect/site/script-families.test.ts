import { describe, expect, it } from 'vitest';
import { scriptFamily } from './script-families.js';

describe('scriptFamily', () => {
  it.each([
    ['/upl.php', 'php'],
    ['/wp-content/uploads/x/b1ack.PHP', 'php'],
    ['/shell.php5', 'php'],
    ['/a.phtml', 'php'],
    ['/default.aspx', 'asp'],
    ['/Trace.axd', 'asp'],
    ['/login.jsp', 'jsp'],
    ['/struts/index.action', 'jsp'],
    ['/admin/login.do', 'jsp'],
    ['/cgi-bin/test.cgi', 'cgi'],
    ['/cgi-bin/awstats.pl', 'cgi'],
    ['/CFIDE/administrator/index.cfm', 'cfm'],
  ])('%s is %s', (path, family) => {
    expect(scriptFamily(path)).toBe(family);
  });

  it.each([
    '/', '', '/index.html', '/a.pdf', '/setup.exe', '/notes.txt~', '/img/logo.png', '/php', '/dir.php/', '/x.php/info', '/a.',
    '/a.php.bak', '/archive.tar.gz', '/video.mp4', '/a.phpx', '/a.do.', '/README.md', '/style.css', '/x.js',
  ])('%s is no script', (path) => {
    expect(scriptFamily(path)).toBeNull();
  });

  it('reads a bounded tail of a hostile path', () => {
    // A million characters ending in an extension's last letter, with no dot, and one ending in a real extension.
    const noDot = '/' + 'a'.repeat(1_000_000) + 'p';
    const script = '/' + 'a'.repeat(1_000_000) + '.php';
    expect(scriptFamily(noDot)).toBeNull();
    expect(scriptFamily(script)).toBe('php');
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) {
      scriptFamily(noDot);
      scriptFamily(script);
    }
    expect(performance.now() - t0).toBeLessThan(200);
  });
});
