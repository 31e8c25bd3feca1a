/** Hand-made combined-format lines for end-to-end tests: times near now, so the stats ranges include them. */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function timeLocal(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

export function benignLine(i: number, time = Date.now()): string {
  const ip = `198.51.${(i >> 8) & 255}.${i & 255}`;
  return `${ip} - - [${timeLocal(time)}] "GET /products/${i} HTTP/1.1" 200 ${1000 + (i % 500)} "https://shop.example/" "${BROWSER}"`;
}

/** A line every rule set worth its name flags: a UNION-based SQL injection. */
export function attackLine(i: number, ip: string, time = Date.now()): string {
  return `${ip} - - [${timeLocal(time)}] "GET /items?id=${i}%27%20UNION%20SELECT%20username,password%20FROM%20users--%20- HTTP/1.1" 200 512 "-" "${BROWSER}"`;
}

/** Line i of a mixed stream: every 50th line is an attack from a fixed IP. */
export function mixedLine(i: number): string {
  return i % 50 === 0 ? attackLine(i, '203.0.113.66') : benignLine(i);
}
