/**
 * YAML as Salt reads a CLI argument: PyYAML's YAML 1.1 scalars, through Salt's SaltYamlSafeLoader
 * (salt/utils/yamlloader.py). js-yaml speaks YAML 1.2, so the plain-scalar types are redefined here
 * from PyYAML's resolver.py and constructor.py:
 * - booleans include yes/no/on/off in three casings; null is `~`, `null`, `Null`, `NULL` or empty;
 * - ints allow `_`, `0b`, `0x` and base 60 (`1:30` is 90); a leading 0 would be octal in YAML 1.1, but
 *   Salt strips it (`0755` is 755), except after a sign (`-0755` stays octal, -493);
 * - floats need a dot (`1e5` stays a string, `1.0e+5` does not) and allow `.inf`, `.nan`, base 60;
 * - timestamps stay strings (Salt 3006 constructs them as strings; 3007 drops the resolver).
 * Ints beyond Number.MAX_SAFE_INTEGER come back as bigint so the caller can keep their digits.
 */
import yaml from 'js-yaml';

const NULL_RE = /^(?:~|null|Null|NULL|)$/;
const BOOL_RE = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const INT_RE = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT_RE =
  /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

const nullType = new yaml.Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (data: string | null) => data === null || NULL_RE.test(data),
  construct: () => null,
});

const boolType = new yaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && BOOL_RE.test(data),
  construct: (data: string) => ['yes', 'true', 'on'].includes(data.toLowerCase()),
});

const intType = new yaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && INT_RE.test(data),
  construct: constructInt,
});

const floatType = new yaml.Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && FLOAT_RE.test(data),
  construct: constructFloat,
});

// `<<` merge keys, as in PyYAML's SafeLoader.
const mergeType = new yaml.Type('tag:yaml.org,2002:merge', {
  kind: 'scalar',
  resolve: (data: string | null) => data === '<<' || data === null,
});

const SALT_YAML_SCHEMA = yaml.FAILSAFE_SCHEMA.extend({ implicit: [nullType, boolType, intType, floatType, mergeType] });

/** `salt.utils.yaml.safe_load`; throws on anything PyYAML would refuse (duplicate keys included). */
export function loadSaltYaml(text: string): unknown {
  return yaml.load(text, { schema: SALT_YAML_SCHEMA });
}

function constructInt(data: string): number | bigint {
  let value = data;
  // SaltYamlSafeLoader.construct_scalar: "0755" is decimal, not YAML 1.1 octal; 0b/0x keep their base.
  if (value !== '0' && value.startsWith('0') && !value.startsWith('0b') && !value.startsWith('0x')) {
    value = value.replace(/^0+/, '') || '0';
  }
  value = value.replaceAll('_', '');
  const sign = value.startsWith('-') ? -1n : 1n;
  if (value.startsWith('-') || value.startsWith('+')) value = value.slice(1);
  let n: bigint;
  if (value.startsWith('0b') || value.startsWith('0x')) n = BigInt(value);
  else if (value.length > 1 && value.startsWith('0')) n = BigInt(`0o${value.slice(1)}`);
  else if (value.includes(':')) n = value.split(':').reduce((acc, part) => acc * 60n + BigInt(part), 0n);
  else n = BigInt(value); // throws on '', which PyYAML's int('') would refuse too
  n *= sign;
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

function constructFloat(data: string): number {
  let value = data.replaceAll('_', '').toLowerCase();
  const sign = value.startsWith('-') ? -1 : 1;
  if (value.startsWith('-') || value.startsWith('+')) value = value.slice(1);
  if (value === '.inf') return sign * Infinity;
  if (value === '.nan') return NaN;
  if (value.includes(':')) return sign * value.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
  return sign * Number(value);
}
