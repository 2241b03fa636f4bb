// A minimal YAML parser: enough for block-style documents such as the
// Spotify OpenAPI description. Supports block mappings and sequences
// (including "- key: value" items and sequences indented at their key's
// level), plain scalars over several lines, single- and double-quoted
// scalars (multi-line, with escapes), literal (|) and folded (>) block
// scalars with chomping indicators, comments, and simple one-line flow
// collections ([a, b], {a: b}, [], {}). No anchors, tags or documents.

export function parseYaml(text) {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines.length && lines[0].startsWith('\ufeff')) lines[0] = lines[0].slice(1);
  let i = 0;

  const indentOf = (l) => l.length - l.trimStart().length;
  const isBlank = (l) => { const t = l.trim(); return t === '' || t.startsWith('#'); };
  const skipBlank = () => { while (i < lines.length && isBlank(lines[i])) i++; };
  const fail = (msg, at = i) => { throw new Error(`yaml: line ${at + 1}: ${msg}`); };
  const isSeqItem = (t) => t === '-' || t.startsWith('- ');

  // The text after `indent` of the next non-blank line, or null where the
  // block at `indent` ends (the input does, or a line is indented less);
  // a line indented more fails with deeper(its indent).
  function lineAt(indent, deeper) {
    skipBlank();
    if (i >= lines.length) return null;
    const ind = indentOf(lines[i]);
    if (ind < indent) return null;
    if (ind > indent) fail(deeper(ind));
    return lines[i].slice(indent);
  }

  // Parse the node starting at line i, whose lines are indented by `indent`.
  function parseNode(indent) {
    skipBlank();
    if (i >= lines.length) return null;
    const t = lines[i].slice(indent);
    if (isSeqItem(t)) return parseSeq(indent);
    if (findKeyColon(t) >= 0) return parseMap(indent);
    // a bare scalar on its own line(s)
    const { value } = parseScalarAt(t, indent - 1);
    return value;
  }

  function parseMap(indent) {
    const out = {};
    for (;;) {
      const t = lineAt(indent, (ind) => `unexpected indentation (${ind}, expected ${indent})`);
      if (t === null || isSeqItem(t)) break; // a sequence at the parent's key level ends here
      const c = findKeyColon(t);
      if (c < 0) fail(`expected "key: value", got ${JSON.stringify(t)}`);
      const key = unquoteKey(t.slice(0, c).trim());
      const rest = stripComment(t.slice(c + 1)).trim();
      if (Object.prototype.hasOwnProperty.call(out, key)) fail(`duplicate key ${JSON.stringify(key)}`);
      if (rest === '') {
        i++;
        skipBlank();
        if (i < lines.length) {
          const nind = indentOf(lines[i]);
          const nt = lines[i].slice(nind);
          if (nind > indent) out[key] = parseNode(nind);
          else if (nind === indent && isSeqItem(nt)) out[key] = parseSeq(indent);
          else out[key] = null;
        } else out[key] = null;
      } else {
        const { value } = parseScalarAt(t.slice(c + 1).trimStart(), indent);
        out[key] = value;
      }
    }
    return out;
  }

  function parseSeq(indent) {
    const out = [];
    for (;;) {
      const t = lineAt(indent, () => 'unexpected indentation in sequence');
      if (t === null || !isSeqItem(t)) break;
      const content = t === '-' ? '' : t.slice(2);
      const inner = content.trimStart();
      const col = indent + 2 + (content.length - inner.length);
      if (inner === '' || inner.startsWith('#')) {
        i++;
        skipBlank();
        if (i < lines.length && indentOf(lines[i]) > indent) out.push(parseNode(indentOf(lines[i])));
        else out.push(null);
      } else if (isSeqItem(inner) || findKeyColon(inner) >= 0) {
        // "- key: value" or "- - x": re-read this line as a node indented at col
        lines[i] = ' '.repeat(col) + inner;
        out.push(isSeqItem(inner) ? parseSeq(col) : parseMap(col));
      } else {
        const { value } = parseScalarAt(inner, indent);
        out.push(value);
      }
    }
    return out;
  }

  // Parse a scalar (or flow collection) beginning on line i at text `s`;
  // continuation lines must be indented more than `parentIndent`.
  function parseScalarAt(s, parentIndent) {
    const first = s.trimStart();
    if (first.startsWith('"')) return { value: quoted('"') };
    if (first.startsWith("'")) return { value: quoted("'") };
    const body = stripComment(first).trim();
    if (/^[|>][-+0-9]*$/.test(body)) { i++; return { value: blockScalar(body, parentIndent) }; }
    if (body.startsWith('[') || body.startsWith('{')) { i++; return { value: flow(body) }; }
    // plain scalar, possibly continued on more-indented lines
    const parts = [body];
    i++;
    for (;;) {
      let j = i, blanks = 0;
      while (j < lines.length && lines[j].trim() === '') { j++; blanks++; }
      if (j >= lines.length) break;
      const l = lines[j];
      if (indentOf(l) <= parentIndent || l.trim().startsWith('#')) break;
      const tt = stripComment(l).trim();
      parts.push(blanks ? '\n'.repeat(blanks) + tt : tt);
      i = j + 1;
    }
    const joined = parts.reduce((acc, p) => (acc === null ? p : p.startsWith('\n') ? acc + p : `${acc} ${p}`), null);
    return { value: plain(joined) };
  }

  // A quoted scalar starting on line i; may run over several lines.
  function quoted(q) {
    const line = lines[i];
    const raw = [];
    let cur = line.slice(findOpening(line, q) + 1);
    for (;;) {
      const end = closingIndex(cur, q);
      if (end >= 0) {
        raw.push(cur.slice(0, end));
        const after = stripComment(cur.slice(end + 1)).trim();
        if (after !== '') fail(`unexpected text after quoted scalar: ${after}`);
        i++;
        break;
      }
      raw.push(cur);
      i++;
      if (i >= lines.length) fail('unterminated quoted scalar');
      cur = lines[i];
    }
    // Fold line breaks: one break is a space, each empty line a newline; in
    // double quotes a backslash at the end of a line joins without a space.
    const oddBackslash = (x) => /(^|[^\\])(\\\\)*\\$/.test(x);
    const parts = raw.map((seg, k) => {
      let x = k > 0 ? seg.trimStart() : seg;
      if (k < raw.length - 1 && !(q === '"' && oddBackslash(x))) x = x.trimEnd();
      return x;
    });
    let out = parts[0];
    let empties = 0;
    for (let k = 1; k < parts.length; k++) {
      if (q === '"' && oddBackslash(parts[k - 1]) && empties === 0) { out = out.slice(0, -1) + parts[k]; continue; }
      if (parts[k] === '' && k < parts.length - 1) { empties++; continue; }
      out += empties ? '\n'.repeat(empties) : ' ';
      empties = 0;
      out += parts[k];
    }
    return q === '"' ? unescapeDouble(out) : out.replace(/''/g, "'");
  }

  function blockScalar(header, parentIndent) {
    const style = header[0];
    const chomp = header.includes('-') ? 'strip' : header.includes('+') ? 'keep' : 'clip';
    const explicit = header.match(/[0-9]/);
    let blockIndent = explicit ? parentIndent + Number(explicit[0]) : -1;
    const body = [];
    while (i < lines.length) {
      const l = lines[i];
      if (l.trim() === '') { body.push(''); i++; continue; }
      const ind = indentOf(l);
      if (blockIndent < 0) {
        if (ind <= parentIndent) break;
        blockIndent = ind;
      }
      if (ind < blockIndent) break;
      body.push(l.slice(blockIndent));
      i++;
    }
    // trailing blank lines belong to chomping, not content
    let trailing = 0;
    while (body.length && body[body.length - 1] === '') { body.pop(); trailing++; }
    let text;
    if (style === '|') text = body.join('\n');
    else {
      text = '';
      for (let k = 0; k < body.length; k++) {
        const l = body[k];
        if (k === 0) { text = l; continue; }
        const prev = body[k - 1];
        if (l === '' || prev === '' || /^\s/.test(l) || /^\s/.test(prev)) text += '\n' + l;
        else text += ' ' + l;
      }
    }
    if (body.length === 0) return chomp === 'keep' ? '\n'.repeat(trailing) : '';
    if (chomp === 'strip') return text;
    if (chomp === 'keep') return text + '\n' + '\n'.repeat(trailing);
    return text + '\n';
  }

  skipBlank();
  if (i >= lines.length) return null;
  const root = parseNode(indentOf(lines[i]));
  skipBlank();
  if (i < lines.length) fail('unexpected content');
  return root;
}

function findOpening(line, q) {
  // the first quote that starts a value: after "key:" or "- " (or at the start)
  const t = line.trimStart();
  const base = line.length - t.length;
  let k = 0;
  if (t.startsWith('- ')) k = 2;
  while (t[k] === ' ') k++;
  if (t[k] === q) return base + k;
  const c = findKeyColon(t.slice(k));
  let p = base + k + (c >= 0 ? c + 1 : 0);
  while (line[p] === ' ') p++;
  if (line[p] !== q) throw new Error(`yaml: expected ${q} in ${JSON.stringify(line)}`);
  return p;
}

function closingIndex(s, q) {
  for (let k = 0; k < s.length; k++) {
    if (q === '"' && s[k] === '\\') { k++; continue; }
    if (s[k] === q) {
      if (q === "'" && s[k + 1] === "'") { k++; continue; }
      return k;
    }
  }
  return -1;
}

// Index of the ':' that ends a mapping key in `t`, or -1.
function findKeyColon(t) {
  if (t.startsWith('"') || t.startsWith("'")) {
    const q = t[0];
    const end = closingIndex(t.slice(1), q);
    if (end < 0) return -1;
    const after = 1 + end + 1;
    return t[after] === ':' && (after + 1 === t.length || t[after + 1] === ' ') ? after : -1;
  }
  if (t.startsWith('[') || t.startsWith('{') || t.startsWith('#')) return -1;
  for (let k = 0; k < t.length; k++) {
    if (t[k] === ' ' && t[k + 1] === '#') return -1;
    if (t[k] === ':' && (k + 1 === t.length || t[k + 1] === ' ')) return k;
  }
  return -1;
}

function unquoteKey(k) {
  if (k.startsWith('"')) return unescapeDouble(k.slice(1, -1));
  if (k.startsWith("'")) return k.slice(1, -1).replace(/''/g, "'");
  return k;
}

function stripComment(s) {
  // plain text only: a '#' preceded by a space starts a comment
  const m = s.match(/(^|\s)#/);
  return m ? s.slice(0, m.index) : s;
}

function unescapeDouble(s) {
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, e) => {
    switch (e[0]) {
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case '0': return '\0';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'e': return '\x1b';
      case ' ': return ' ';
      case '/': return '/';
      case '"': return '"';
      case '\\': return '\\';
      case 'N': return '\u0085';
      case '_': return '\u00a0';
      case 'x': case 'u': case 'U': return String.fromCodePoint(parseInt(e.slice(1), 16));
      default: return e;
    }
  });
}

function plain(s) {
  if (s === '' || s === '~' || s === 'null' || s === 'Null' || s === 'NULL') return null;
  if (/^(true|True|TRUE)$/.test(s)) return true;
  if (/^(false|False|FALSE)$/.test(s)) return false;
  if (/^[-+]?(0|[1-9][0-9]*)$/.test(s)) return Number(s);
  if (/^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/.test(s)) return Number(s);
  return s;
}

// One-line flow collections; nested ones are supported, multi-line are not.
function flow(s) {
  let k = 0;
  const ws = () => { while (s[k] === ' ') k++; };
  function value() {
    ws();
    if (s[k] === '[') {
      k++; const arr = []; ws();
      if (s[k] === ']') { k++; return arr; }
      for (;;) { arr.push(value()); ws(); if (s[k] === ',') { k++; continue; } if (s[k] === ']') { k++; return arr; } throw new Error(`yaml: bad flow sequence ${s}`); }
    }
    if (s[k] === '{') {
      k++; const obj = {}; ws();
      if (s[k] === '}') { k++; return obj; }
      for (;;) {
        const key = scalar(':');
        if (s[k] !== ':') throw new Error(`yaml: bad flow mapping ${s}`);
        k++;
        obj[key] = value(); ws();
        if (s[k] === ',') { k++; continue; }
        if (s[k] === '}') { k++; return obj; }
        throw new Error(`yaml: bad flow mapping ${s}`);
      }
    }
    return scalar(',]}');
  }
  function scalar(stops) {
    ws();
    if (s[k] === '"' || s[k] === "'") {
      const q = s[k];
      const end = closingIndex(s.slice(k + 1), q);
      const raw = s.slice(k + 1, k + 1 + end);
      k += end + 2;
      return q === '"' ? unescapeDouble(raw) : raw.replace(/''/g, "'");
    }
    const start = k;
    while (k < s.length && !stops.includes(s[k])) k++;
    return plain(s.slice(start, k).trim());
  }
  const v = value();
  ws();
  if (k !== s.length) throw new Error(`yaml: trailing text after flow collection: ${s}`);
  return v;
}
