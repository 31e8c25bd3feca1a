/**
 * The shell tokeniser (`tokens/rce`): reads a value as a POSIX or cmd.exe command line and flags a command
 * position that holds a known command word.
 *
 * 1. De-obfuscate as the shell would before running the word: quotes inside a word vanish (`w'h'o'am'i`,
 *    `w"ho"ami`), so do cmd's carets (`w^h^o^a^m^i`), backslashes before ordinary characters (`c\at`) and
 *    empty expansions (`$@`, `$1`, `${9}`, `$()`, two backticks); `$IFS` / `${IFS}` is a space. Quotes are
 *    dropped rather than followed: a value can land unquoted or inside '...' or "...", and a separator is
 *    live in at least one of those contexts unless it sits between quotes on both sides of every reading,
 *    which payloads never need.
 * 2. Command positions follow `;`, `|`, `||`, `&`, `&&`, newlines, a backtick, `$(`, `<(`, `>(` and `{`.
 * 3. Decide: a command word that is not an English word (`id`, `whoami`, `wget`) is enough; one that is
 *    (`cat`, `date`, `sleep`) needs shell-looking arguments (`-la`, `/etc/passwd`, `$HOME`, a redirect, a
 *    number for sleep/ping), a path (`/bin/cat`), obfuscation inside it, or a separator glued to it with
 *    nothing before (`;date`). After a lone `&` (`Tom & Jerry`) even a non-English word needs arguments or
 *    the end of the value. Glob-obfuscated paths (`/???/c?t`, `/e??/p??swd`, `/bin/ca*`) that match known
 *    directories and commands or files are flagged wherever they stand; so is an obfuscated command word
 *    at the start of the value.
 * Linear: one de-obfuscation pass and one lexing pass; glob segments are capped (MAX_GLOB_SEGMENT).
 */
import { AMBIGUOUS_COMMANDS, CASELESS_COMMANDS, GLOB_DIRS, GLOB_FILES, STRONG_COMMANDS } from './shell-words.js';
import { refererFinding } from './referer.js';
import type { TokenFinding, Tokeniser } from './types.js';

/** Longest glob segment matched against the known names (longer ones are not a known name anyway). */
export const MAX_GLOB_SEGMENT = 32;

interface Deobfuscated {
  text: string;
  /** `$IFS` stood for a space somewhere: no one types that but to hide a space from a filter. */
  ifs: boolean;
  /** marks[i] = 1 when something was removed just before text[i] (or text[i] came from an escape). */
  marks: Uint8Array;
}

function isWordChar(c: number): boolean {
  const l = c | 32;
  return (l >= 97 && l <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46 || c === 47;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Characters deobfuscate acts on: $ ` ^ ' " \ (ASCII only; the rest is copied). */
const HIDES = new Uint8Array(65536);
for (const ch of '$`^\'"\\') HIDES[ch.charCodeAt(0)] = 1;

/** Step 1 above. Output is never longer than the input. */
export function deobfuscate(s: string): Deobfuscated {
  const n = s.length;
  const marks = new Uint8Array(n + 1);
  // Most values hide nothing: no `$`, backtick, caret, quote or backslash, so there is nothing to remove.
  let first = 0;
  while (first < n && !HIDES[s.charCodeAt(first)]) first++;
  if (first === n) return { text: s, ifs: false, marks };
  let out = s.slice(0, first);
  let pending = 0;
  let ifs = false;
  const emit = (ch: string) => {
    if (pending) marks[out.length] = 1;
    pending = 0;
    out += ch;
  };
  for (let i = first; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 36 /* $ */) {
      const d = s.charCodeAt(i + 1);
      if (s.startsWith('IFS', i + 1)) {
        i += 3;
        if (s.charCodeAt(i + 1) === 36 && isDigit(s.charCodeAt(i + 2))) i += 2;
        ifs = true;
        emit(' ');
        continue;
      }
      if (d === 123 /* { */) {
        // Look for the `}` nearby only: indexOf would rescan the rest of `${${${...` at every `${`.
        let close = -1;
        for (let k = i + 2; k < n && k <= i + 10; k++) {
          if (s.charCodeAt(k) === 125) {
            close = k;
            break;
          }
        }
        if (close !== -1) {
          const inner = s.slice(i + 2, close);
          if (inner.startsWith('IFS')) {
            i = close;
            ifs = true;
            emit(' ');
            continue;
          }
          if (/^\d+$/.test(inner)) {
            i = close;
            pending = 1;
            continue;
          }
        }
      }
      if (d === 64 || d === 42 || isDigit(d)) {
        i++;
        pending = 1;
        continue;
      }
      if (d === 40 && s.charCodeAt(i + 2) === 41) {
        i += 2;
        pending = 1;
        continue;
      }
      emit('$');
      continue;
    }
    if (c === 96 && s.charCodeAt(i + 1) === 96) {
      i++;
      pending = 1;
      continue;
    }
    if (c === 94 /* ^ */ || c === 39 || c === 34) {
      // Only a mark when it splits a word (`w'h'o`); a quote around a word (`'id'`) hides nothing.
      if (i > 0 && isWordChar(s.charCodeAt(i - 1)) && isWordChar(s.charCodeAt(i + 1))) pending = 1;
      continue;
    }
    if (c === 92 /* \ */ && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d === 10) {
        i++;
        continue;
      }
      // A literal `\n` / `\r` is a newline once a JSON or C-style decoder has read the value.
      if (d === 110 || d === 114) {
        emit('\n');
        i++;
        continue;
      }
      if (isWordChar(d)) {
        pending = 1;
        emit(s[i + 1]!);
        i++;
        continue;
      }
    }
    emit(s[i]!);
  }
  return { text: out, ifs, marks };
}

/** Does glob `g` (`?`, `*`, `[abc]`, `[a-z]`) match `name`? Both at most MAX_GLOB_SEGMENT long: O(|g|·|name|). */
export function globMatch(g: string, name: string): boolean {
  // Positions of `name` reachable after each glob element, as a bit set over name positions 0..len.
  let reach = 1;
  const len = name.length;
  const all = (1 << (len + 1)) - 1;
  let i = 0;
  while (i < g.length && reach !== 0) {
    const c = g[i]!;
    if (c === '*') {
      // Every position at or after the lowest reachable one.
      const low = reach & -reach;
      reach = all & ~(low - 1);
      i++;
      continue;
    }
    let test: (ch: string) => boolean;
    if (c === '?') {
      test = () => true;
      i++;
    } else if (c === '[') {
      const close = g.indexOf(']', i + 2);
      if (close === -1) {
        test = (ch) => ch === '[';
        i++;
      } else {
        const set = g.slice(i + 1, close);
        const negate = set[0] === '!' || set[0] === '^';
        const body = negate ? set.slice(1) : set;
        test = (ch) => {
          let hit = false;
          for (let k = 0; k < body.length; k++) {
            if (body[k + 1] === '-' && k + 2 < body.length) {
              if (ch >= body[k]! && ch <= body[k + 2]!) hit = true;
              k += 2;
            } else if (body[k] === ch) hit = true;
          }
          return hit !== negate;
        };
        i = close + 1;
      }
    } else {
      test = (ch) => ch === c;
      i++;
    }
    let next = 0;
    for (let p = 0; p < len; p++) if ((reach & (1 << p)) !== 0 && test(name[p]!)) next |= 1 << (p + 1);
    reach = next;
  }
  return (reach & (1 << len)) !== 0;
}

const GLOB_CHARS = /[?*[]/;
const COMMAND_NAMES = [...STRONG_COMMANDS, ...AMBIGUOUS_COMMANDS].filter((w) => w.length <= 30);

/** `/???/c?t` -> '/bin/cat'-like reading, or null when the glob path does not walk known names. */
export function globPath(word: string): string | null {
  if (word.charCodeAt(0) !== 47 || !GLOB_CHARS.test(word)) return null;
  const segments = word.split('/').filter((x) => x !== '');
  if (segments.length < 2 || segments.length > 8) return null;
  const names: string[] = [];
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k]!;
    if (seg.length > MAX_GLOB_SEGMENT) return null;
    const last = k === segments.length - 1;
    const candidates = last ? [...GLOB_FILES, ...COMMAND_NAMES] : GLOB_DIRS;
    if (last && !/[a-z0-9]/i.test(seg)) return null; // `/bin/*` names nothing in particular
    const hit = GLOB_CHARS.test(seg) ? candidates.find((c) => globMatch(seg, c)) : candidates.includes(seg) ? seg : undefined;
    if (hit === undefined) return null;
    names.push(hit);
  }
  return `/${names.join('/')}`;
}

type Separator = 'strong' | 'weak';

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 11 || c === 12;
}

/** Characters that end a word (whitespace, separators, redirects, grouping). */
function endsWord(c: number): boolean {
  return isSpace(c) || c === 59 || c === 124 || c === 38 || c === 10 || c === 13 || c === 96 || c === 60 || c === 62 || c === 40 || c === 41 || c === 123 || c === 125;
}

function commandClass(word: string): 'strong' | 'ambiguous' | null {
  if (STRONG_COMMANDS.has(word) || AMBIGUOUS_COMMANDS.has(word)) return STRONG_COMMANDS.has(word) ? 'strong' : 'ambiguous';
  const lower = word.toLowerCase();
  if (lower !== word && CASELESS_COMMANDS.has(lower)) return STRONG_COMMANDS.has(lower) ? 'strong' : 'ambiguous';
  return null;
}

/** Does the word after an ambiguous command look like a shell argument? */
function shellArgument(command: string, arg: string): boolean {
  if (arg === '') return false;
  const c = arg.charCodeAt(0);
  if (c === 45 /* - */) return arg.length >= 2 && /^--?[a-zA-Z0-9]/.test(arg);
  if (c === 47 /* / */ || c === 126 /* ~ */) return /^[/~][/]?[a-zA-Z0-9._]/.test(arg);
  if (c === 36 /* $ */) return arg.length >= 2;
  if (arg.startsWith('./') || arg.startsWith('../')) return true;
  // Windows: a drive path (`C:\Users`, its backslash already read as an escape), `%SYSTEMROOT%`.
  if (/^[a-zA-Z]:([\\/a-zA-Z]|$)/.test(arg) || /^%[a-zA-Z_]{2,}%/.test(arg)) return true;
  if (/^(https?|s?ftp|tftp):\/\/./.test(arg)) return true;
  const lower = command.toLowerCase();
  if (lower === 'net' && NET_SUBCOMMANDS.has(arg.toLowerCase())) return true;
  if (lower === 'reg' && REG_SUBCOMMANDS.has(arg.toLowerCase())) return true;
  if ((lower === 'which' || lower === 'whereis' || lower === 'type') && (STRONG_COMMANDS.has(arg) || AMBIGUOUS_COMMANDS.has(arg))) return true;
  if ((command === 'sleep' || command === 'ping' || command === 'timeout') && /^\d+$/.test(arg)) return true;
  if (command === 'ping' && /^\d{1,3}(\.\d{1,3}){3}$/.test(arg)) return true;
  return false;
}

/** `net user`, `net view`: what `net` does on Windows (`net` alone is a word). */
const NET_SUBCOMMANDS = new Set(['user', 'users', 'view', 'localgroup', 'group', 'share', 'use', 'session', 'start', 'stop', 'accounts', 'config']);

const REG_SUBCOMMANDS = new Set(['add', 'query', 'delete', 'save', 'export', 'import']);

/** Language functions that hand a string to the shell (`system('id')`, `exec("ls")`). */
const EXEC_FUNCTIONS = new Set(['system', 'exec', 'shell_exec', 'passthru', 'popen', 'proc_open', 'pcntl_exec', 'eval', 'spawn', 'execSync', 'spawnSync', 'execFile', 'check_output', 'Popen', 'getoutput']);

interface Word {
  text: string;
  start: number;
  end: number;
  obfuscated: boolean;
}

function readWord(t: Deobfuscated, i: number, commaEnds: boolean): Word {
  const s = t.text;
  let j = i;
  let obfuscated = false;
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if (endsWord(c) || (commaEnds && c === 44)) break;
    if (t.marks[j] === 1 && j > i) obfuscated = true;
    j++;
  }
  return { text: s.slice(i, j), start: i, end: j, obfuscated };
}

function finding(t: Deobfuscated, from: number, detail: string, confidence: number): TokenFinding {
  return { fragment: t.text.slice(Math.max(0, from - 8), from + 72), confidence, detail };
}

/** Cheap test: a separator, an obfuscation character or a glob at all. */
function mayBeShell(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 59 || c === 124 || c === 38 || c === 10 || c === 13 || c === 96 || c === 36 || c === 39 || c === 34 || c === 94 || c === 92 || c === 63 || c === 42 || c === 123) return true;
  }
  // No separator: only a value that opens with a command word and has an argument can be a command line.
  const sp = s.indexOf(' ');
  return sp > 0 && sp <= 16 && commandClass(s.slice(0, sp)) !== null;
}

/** The shell decision on one decoded value; null when no command position holds a command. */
export function inspectShell(value: string): TokenFinding | null {
  if (!mayBeShell(value)) return null;
  const ssi = value.indexOf('<!--#');
  if (ssi !== -1 && /^<!--#\s*exec\b/i.test(value.slice(ssi, ssi + 16))) return { fragment: value.slice(ssi, ssi + 80), confidence: 0.9, detail: 'server-side include exec' };
  const fn = value.indexOf('()');
  if (fn !== -1 && /^\(\)\s*\{/.test(value.slice(fn, fn + 8))) return { fragment: value.slice(fn, fn + 80), confidence: 0.9, detail: 'bash function definition (Shellshock)' };
  const t = deobfuscate(value);
  const s = t.text;
  const n = s.length;
  let sep: Separator | null = null;
  /** The separator touches the word and nothing but space precedes the separator's run. */
  let glued = false;
  let inBrace = false;
  let first = true;
  /** The value opens with a separator (`; dir`, `| net view`): injection-shaped from its first character. */
  let sepAtStart = false;
  for (let i = 0; i < n; ) {
    const c = s.charCodeAt(i);
    if (isSpace(c)) {
      glued = false;
      i++;
      continue;
    }
    let next: Separator | null = null;
    let width = 1;
    if (c === 59 || c === 10 || c === 13 || c === 96) next = 'strong';
    else if (c === 124) next = 'strong';
    else if (c === 38) next = s.charCodeAt(i + 1) === 38 ? 'strong' : 'weak';
    else if ((c === 36 || c === 60 || c === 62) && s.charCodeAt(i + 1) === 40) {
      next = 'strong';
      width = 2;
    } else if (c === 123) {
      next = 'strong';
      inBrace = true;
    } else if (c === 40 && sep !== null) {
      // `;(id)`: a subshell right where a command starts.
      next = sep;
    }
    if (next !== null) {
      if (next === 'weak' && s.charCodeAt(i + 1) === 38) width = 2;
      else if (c === 124 && s.charCodeAt(i + 1) === 124) width = 2;
      // A separator glued to a word before it (`name;date`) reads as a list, not a command line.
      const before = i > 0 ? s.charCodeAt(i - 1) : 32;
      glued = sep !== null ? glued : !isWordChar(before) || i === 0;
      if (first) sepAtStart = true;
      sep = sep === 'strong' || next === 'strong' ? 'strong' : 'weak';
      first = false;
      i += width;
      continue;
    }
    if (c === 44 && inBrace) {
      // `{,ip,a}`: inside a brace expansion the commas are the spaces.
      i++;
      continue;
    }
    if (c === 62 || c === 60 || c === 40 || c === 41 || c === 125 || c === 44 || c === 123) {
      if (c === 125) inBrace = false;
      i++;
      sep = null;
      first = false;
      continue;
    }
    const word = readWord(t, i, inBrace);
    if (word.end === i) {
      i++;
      continue;
    }
    if (s.charCodeAt(word.end) === 40 && EXEC_FUNCTIONS.has(word.text)) {
      // `system('id')`: the string argument (quotes are gone by now) is a command line.
      const head = s.slice(word.end + 1, Math.min(n, word.end + 200));
      const close = head.indexOf(')');
      const inner = (close === -1 ? head : head.slice(0, close)).trim();
      const sp = inner.search(/[\s;|&]/);
      const first = sp === -1 ? inner : inner.slice(0, sp);
      const name = first.charCodeAt(0) === 47 ? first.slice(first.lastIndexOf('/') + 1) : first;
      if (name !== '' && commandClass(name) !== null) return finding(t, word.start, `command ${name} passed to ${word.text}()`, 0.85);
    }
    const glob = globPath(word.text);
    if (glob !== null) return finding(t, word.start, `glob-obfuscated path ${word.text} (${glob})`, 0.85);
    const atStart = first;
    first = false;
    if (sep !== null || atStart) {
      const qualified = word.text.charCodeAt(0) === 47 && word.text.lastIndexOf('/') > 0;
      const name = qualified ? word.text.slice(word.text.lastIndexOf('/') + 1) : word.text;
      const cls = name === '' ? null : commandClass(name);
      if (cls !== null) {
        let k = word.end;
        while (k < n && (isSpace(s.charCodeAt(k)) || (inBrace && s.charCodeAt(k) === 44))) k++;
        const after = k < n ? s.charCodeAt(k) : -1;
        const redirect = after === 62 || after === 60;
        const arg = after === -1 || endsWord(after) ? '' : readWord(t, k, inBrace).text;
        const ends = after === -1 || (after !== 40 && endsWord(after) && !isSpace(after));
        const shellish = redirect || shellArgument(name, arg) || (after === 36 && arg.length >= 2);
        const where = atStart && sep === null ? 'at the start of the value' : `after a ${sep} separator`;
        let hit = false;
        if (atStart && sep === null) {
          // No separator: the value is the command line (a webshell's `cmd=`) only when it has a shell's
          // arguments (`ls -la /etc`, `cat /etc/passwd`), or when the word is obfuscated (`w'h'o'am'i`).
          const option = shellArgument(name, arg) && !isDigit(arg.charCodeAt(0));
          hit = ((word.obfuscated || t.ifs) && (cls === 'strong' || shellish) && name.length >= 3) || (cls === 'strong' && shellish) || (cls === 'ambiguous' && option);
        } else if (sep === 'strong') {
          hit = cls === 'strong' || shellish || qualified || word.obfuscated || ((glued || sepAtStart) && ends);
        } else {
          hit = (cls === 'strong' && (ends || shellish)) || (cls === 'ambiguous' && (shellish || (sepAtStart && ends))) || word.obfuscated;
        }
        if (hit) {
          const how = word.obfuscated ? ' (obfuscated)' : qualified ? ' (by path)' : '';
          return finding(t, word.start, `command ${name}${how} ${where}`, cls === 'strong' || word.obfuscated || qualified ? 0.85 : 0.75);
        }
      }
    }
    sep = null;
    glued = false;
    i = word.end;
  }
  return null;
}

export const shellTokeniser: Tokeniser = {
  ruleId: 'tokens/rce',
  category: 'rce',
  severity: 'critical',
  inspect: (value, field) => (field === 'referer' ? refererFinding(value, inspectShell) : inspectShell(value)),
};
