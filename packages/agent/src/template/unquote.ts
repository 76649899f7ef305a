const SIMPLE: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };

/** Go's strconv.Unquote for a double-quoted literal: the escapes Go allows, nothing else. */
export function unquoteGo(quoted: string): string {
  const body = quoted.slice(1, -1);
  let out = '';
  const bytes: number[] = [];
  const flushBytes = () => {
    if (bytes.length) out += Buffer.from(bytes).toString('utf8');
    bytes.length = 0;
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      flushBytes();
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) throw new Error('invalid syntax');
    if (e in SIMPLE && e !== "'") {
      flushBytes();
      out += SIMPLE[e];
    } else if (e === 'x' || /[0-7]/.test(e)) {
      // \xNN and \NNN are bytes: consecutive ones may form one UTF-8 character.
      const hex = e === 'x';
      const digits = hex ? body.slice(i + 1, i + 3) : body.slice(i, i + 3);
      if (!(hex ? /^[0-9a-fA-F]{2}$/ : /^[0-7]{3}$/).test(digits)) throw new Error('invalid syntax');
      const value = parseInt(digits, hex ? 16 : 8);
      if (value > 255) throw new Error('invalid syntax');
      bytes.push(value);
      i += 2;
    } else if (e === 'u' || e === 'U') {
      const size = e === 'u' ? 4 : 8;
      const digits = body.slice(i + 1, i + 1 + size);
      if (!new RegExp(`^[0-9a-fA-F]{${size}}$`).test(digits)) throw new Error('invalid syntax');
      const code = parseInt(digits, 16);
      if (code > 0x10ffff || (code >= 0xd800 && code < 0xe000)) throw new Error('invalid syntax');
      flushBytes();
      out += String.fromCodePoint(code);
      i += size;
    } else {
      throw new Error('invalid syntax');
    }
  }
  flushBytes();
  return out;
}
