// Runtime environment, read once at cold start: a missing or malformed variable fails fast,
// naming every offender at once rather than the first one found.

export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
}

type Parser<T> = (raw: string | undefined, name: string) => T | Error;

export const requiredString: Parser<string> = (raw, name) =>
  raw === undefined || raw.trim() === '' ? new Error(`${name} is missing`) : raw;

export const optionalString =
  (fallback: string): Parser<string> =>
  (raw) =>
    raw === undefined || raw.trim() === '' ? fallback : raw;

export const positiveInteger =
  (fallback?: number): Parser<number> =>
  (raw, name) => {
    if (raw === undefined || raw === '') return fallback ?? new Error(`${name} is missing`);
    const value = Number(raw);
    return Number.isInteger(value) && value > 0 ? value : new Error(`${name} must be a positive integer, got "${raw}"`);
  };

export const booleanFlag =
  (fallback: boolean): Parser<boolean> =>
  (raw, name) => {
    if (raw === undefined || raw === '') return fallback;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    return new Error(`${name} must be true or false, got "${raw}"`);
  };

/** Parses `source` against `spec`; throws one EnvironmentError listing every problem. */
export const parseEnv = <S extends Record<string, Parser<unknown>>>(
  spec: S,
  source: Record<string, string | undefined> = process.env,
): { [K in keyof S]: S[K] extends Parser<infer T> ? T : never } => {
  const problems: string[] = [];
  const parsed: Record<string, unknown> = {};
  for (const [name, parse] of Object.entries(spec)) {
    const value = parse(source[name], name);
    if (value instanceof Error) problems.push(value.message);
    else parsed[name] = value;
  }
  if (problems.length > 0) throw new EnvironmentError(`Invalid environment: ${problems.join('; ')}`);
  return parsed as { [K in keyof S]: S[K] extends Parser<infer T> ? T : never };
};
