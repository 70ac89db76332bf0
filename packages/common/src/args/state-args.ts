import { InvocationError } from '../errors.js';

/**
 * Arguments the state functions and the orchestrate runner share, read as Salt reads them: `mods`
 * (also `sls` in orchestrate steps) is a comma string or a list; `pillar` is a mapping or its JSON.
 */
export function listArg(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String).filter(Boolean);
  if (typeof value === 'string') return value.split(',').map((m) => m.trim()).filter(Boolean);
  return [];
}

export function pillarArg(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null || value === '') return {};
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new InvocationError('Pillar data must be formatted as a dictionary');
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InvocationError('Pillar data must be formatted as a dictionary');
  return value as Record<string, unknown>;
}
