// Salt's outputters: each expected text below is what Salt prints for the same return (colour off, as
// when stdout is not a tty), written from salt/output/*.py and checked against PyYAML/CPython where noted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  OUTPUTTERS,
  displayText,
  formatJson,
  formatKeyList,
  formatKeyValues,
  formatNested,
  formatNoReturn,
  formatRaw,
  formatTxt,
  formatYaml,
  getOutputter,
  printout,
  pyFixed,
  pyFloatRepr,
  pyRepr,
} from '../src/output/index.js';

const lines = (...l: string[]): string => l.join('\n');

test('nested prints test.ping as the minion id and True four spaces in', () => {
  assert.equal(formatNested({ web1: true }), 'web1:\n    True');
});

test('nested prints cmd.run_all with a ---------- line, sorted keys and nothing for an empty stderr', () => {
  const ret = { web1: { stdout: 'hi', stderr: '', retcode: 0, pid: 1234 } };
  assert.equal(
    formatNested(ret),
    lines('web1:', '    ----------', '    pid:', '        1234', '    retcode:', '        0', '    stderr:', '    stdout:', '        hi'),
  );
});

test('nested prints nested.py docstring example byte for byte', () => {
  const ret = { myminion: { foo: { list: ['Hello', 'World'], bar: 'baz', dictionary: { abc: 123, def: 456 } } } };
  assert.equal(
    formatNested(ret),
    lines(
      'myminion:',
      '    ----------',
      '    foo:',
      '        ----------',
      '        bar:',
      '            baz',
      '        dictionary:',
      '            ----------',
      '            abc:',
      '                123',
      '            def:',
      '                456',
      '        list:',
      '            - Hello',
      '            - World',
    ),
  );
});

test('nested prints scalars as Python repr and each line of a string on its own line', () => {
  const ret = { m: { a: null, b: false, c: 1.5, d: 1e-5, e: 'one\ntwo\r\nthree\n', f: -7 } };
  assert.equal(
    formatNested(ret),
    lines('m:', '    ----------', '    a:', '        None', '    b:', '        False', '    c:', '        1.5', '    d:', '        1e-05',
      '    e:', '        one', '        two', '        three', '    f:', '        -7'),
  );
});

test('nested marks containers inside lists with |_ and indents them two more', () => {
  const ret = { m: ['a', { k: 'v' }, ['x', 'y\nz'], [], {}] };
  assert.equal(
    formatNested(ret),
    lines('m:', '    - a', '    |_', '      ----------', '      k:', '          v', '    |_', '      - x', '      - y', '        z', '    |_', '    |_', '      ----------'),
  );
});

test('nested sorts keys by code point, as Python sorts str', () => {
  assert.equal(formatNested({ b: 1, B: 2, _: 3, a: 4 }), lines('B:', '    2', '_:', '    3', 'a:', '    4', 'b:', '    1'));
});

test('nested replaces ESC in returned text with ? so a return cannot drive the terminal', () => {
  assert.equal(formatNested({ m: '\x1b[2Jgone' }), 'm:\n    ?[2Jgone');
});

test('nested uses Salt colours: cyan keys, green strings, yellow scalars, red keys for a failed retcode', () => {
  const cyan = '\x1b[0;36m';
  const green = '\x1b[0;32m';
  const yellow = '\x1b[0;1;33m';
  const red = '\x1b[0;31m';
  const end = '\x1b[0;0m';
  assert.equal(formatNested({ web1: { out: 'hi', ok: true } }, { color: true }),
    lines(`${cyan}web1${end}:`, `    ${cyan}----------${end}`, `    ${cyan}ok${end}:`, `        ${yellow}True${end}`, `    ${cyan}out${end}:`, `        ${green}hi${end}`));
  assert.equal(formatNested({ web1: 'x' }, { color: true, retcode: 1 }), `${red}web1${end}:\n    ${green}x${end}`);
});

test('json prints json.dumps indent 4 with keys in return order', () => {
  assert.equal(formatJson({ web1: { b: 1, a: [true, null] } }), '{\n    "web1": {\n        "b": 1,\n        "a": [\n            true,\n            null\n        ]\n    }\n}');
});

test('json with a negative --out-indent prints one line with Python separators', () => {
  assert.equal(formatJson({ web1: { b: 1, a: 'x' } }, { indent: -1 }), '{"web1": {"b": 1, "a": "x"}}');
  assert.equal(formatJson({ b: 1, a: 2 }, { indent: 'pretty' }), '{\n    "a": 2,\n    "b": 1\n}');
  assert.equal(formatJson({ a: [1] }, { indent: 2 }), '{\n  "a": [\n    1\n  ]\n}');
});

test('yaml prints safe_dump block style: sorted keys, lists flush under their key, quotes only where needed', () => {
  assert.equal(formatYaml({ web1: true }), 'web1: true\n');
  const ret = { web1: { z: ['a', 'yes', ''], m: 'a\nb', n: '123', e: {}, l: [], x: null, f: 1.5, s: 'plain text', c: 'key: value' } };
  assert.equal(
    formatYaml(ret),
    lines('web1:', "  c: 'key: value'", '  e: {}', '  f: 1.5', '  l: []', "  m: 'a", '', "    b'", "  n: '123'", '  s: plain text', '  x: null', '  z:', '  - a', "  - 'yes'", "  - ''", ''),
  );
});

test('yaml with a negative --out-indent prints flow style', () => {
  assert.equal(formatYaml({ web1: { a: [1, 'x'] } }, { indent: -1 }), '{web1: {a: [1, x]}}\n');
});

test('txt prints <minion>: <line> for each line of a string and str() of anything else', () => {
  assert.equal(formatTxt({ web1: 'one\ntwo', db1: true, x: '' }), 'web1: one\nweb1: two\ndb1: True\n');
});

test('raw prints the Python repr of the return', () => {
  assert.equal(formatRaw({ web1: { ok: true, n: null, l: [1, 'it\'s'] } }), `{'web1': {'ok': True, 'n': None, 'l': [1, "it's"]}}`);
});

test('no_return prints the minion id and the message four spaces in', () => {
  assert.equal(formatNoReturn('web1', 'Minion did not return. [No response]'), 'web1:\n    Minion did not return. [No response]\n');
  assert.equal(formatNoReturn('w', 'x', { color: true }), '\x1b[0;36mw\x1b[0;0m:\n\x1b[0;31m    x\x1b[0;0m\n');
});

test('salt-key -L prints every status header in directory order, empty ones too, with sorted ids', () => {
  const out = formatKeyList({ minions_pre: ['new2', 'new1'], minions: ['web2', 'db1', 'web1'], minions_rejected: [], minions_denied: [] });
  assert.equal(out, lines('Accepted Keys:', 'db1', 'web1', 'web2', 'Denied Keys:', 'Unaccepted Keys:', 'new1', 'new2', 'Rejected Keys:', ''));
});

test('salt-key -F prints <id>:  <fingerprint> with two spaces, local keys first', () => {
  const out = formatKeyValues({ minions: { web1: 'aa:bb' }, local: { 'master.pub': 'cc:dd', 'master.pem': 'ee:ff' } });
  assert.equal(out, lines('Local Keys:', 'master.pem:  ee:ff', 'master.pub:  cc:dd', 'Accepted Keys:', 'web1:  aa:bb', ''));
});

test('an unknown outputter name is refused with the list of known ones', () => {
  assert.throws(() => getOutputter('tabel'), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ERR_INVOCATION');
    for (const name of Object.keys(OUTPUTTERS)) assert.match(err.message, new RegExp(`\\b${name}\\b`));
    return true;
  });
});

test('printout strips trailing whitespace, maps text to txt and falls back to nested like try_printout', () => {
  assert.equal(printout('text', { web1: 'hi' }), 'web1: hi');
  assert.equal(printout(undefined, { web1: true }), 'web1:\n    True');
  assert.equal(printout('key', { web1: 'not key data' }), 'web1:\n    not key data');
  assert.equal(printout('yaml', { web1: true }), 'web1: true');
});

test('the CLI bytes are the printout and a newline, and nothing at all for quiet', () => {
  assert.equal(displayText('nested', { web1: true }), 'web1:\n    True\n');
  assert.equal(displayText('quiet', { web1: true }), '');
});

test('numbers print as Python prints them: repr exponents, a .0 on whole floats, and %.3f ties to even', () => {
  assert.deepEqual([1e-5, 1e16, 1e15, 0.0001, 2, 1.5e300].map(pyFloatRepr), ['1e-05', '1e+16', '1000000000000000.0', '0.0001', '2.0', '1.5e+300']);
  assert.deepEqual([0.0625, 0.1875, 12.3456, 2.0005].map((x) => pyFixed(x, 3)), ['0.062', '0.188', '12.346', '2.001']);
  assert.equal(pyRepr({ s: 'tab\there', q: 'a"b\'c', u: 'caf\u00e9\u200b' }), `{'s': 'tab\\there', 'q': 'a"b\\'c', 'u': 'caf\u00e9\\u200b'}`);
});
