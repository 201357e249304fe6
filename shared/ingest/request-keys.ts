// Ambiguous JSON at the envelope level: an object with the same key twice. JSON.parse keeps the last
// value silently, so `{"events":[a],"events":[b]}` would accept b and lose a without a trace, and an
// event with two `event_id`s would be deduped on whichever came last. Only the keys that decide
// what an event is are checked: the envelope's own keys and each event's top-level keys. The scan
// runs on text JSON.parse already accepted, one pass of charCodeAt that jumps over every string
// with indexOf; nested attribute objects are passed over, their keys not collected.

/**
 * The first duplicated key among the objects opened at `depths` (1 = the top-level object, 3 = the
 * objects inside an array inside it), in valid JSON text; undefined when there is none.
 */
export function findDuplicateKey(
  text: string,
  depths: ReadonlySet<number>,
): { key: string; object: number } | undefined {
  /** Per open container: whether it is an object, and the keys seen so far when it is a checked one. */
  const isObject: boolean[] = [];
  const open: (Seen | null)[] = [];
  /** Checked objects opened so far, minus one. */
  let object = -1;
  let expectKey = false;
  for (let at = 0; at < text.length; at++) {
    const c = text.charCodeAt(at);
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, at);
      const current = open[open.length - 1];
      if (expectKey && current) {
        const raw = text.slice(at + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (seenBefore(current, key)) return { key, object: current.index };
      }
      expectKey = false;
      at = end;
    } else if (c === 0x7b /* { */) {
      const checked = depths.has(open.length + 1);
      if (checked) object += 1;
      isObject.push(true);
      open.push(checked ? { keys: [], set: undefined, index: object } : null);
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      isObject.push(false);
      open.push(null);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      isObject.pop();
      open.pop();
    } else if (c === 0x2c /* , */) {
      expectKey = isObject[isObject.length - 1] === true;
    }
  }
  return undefined;
}

interface Seen {
  keys: string[];
  /** Past LINEAR_KEYS keys (a hostile object may have thousands), a set instead. */
  set: Set<string> | undefined;
  index: number;
}

const LINEAR_KEYS = 32;

/** Records the key; true when the object had it already. An event has a dozen keys: a linear search beats hashing. */
function seenBefore(seen: Seen, key: string): boolean {
  if (seen.set !== undefined) return seen.set.size === seen.set.add(key).size;
  if (seen.keys.includes(key)) return true;
  seen.keys.push(key);
  if (seen.keys.length >= LINEAR_KEYS) seen.set = new Set(seen.keys);
  return false;
}

/** Index of the closing quote of the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  while (end > 0 && isEscaped(text, end)) end = text.indexOf('"', end + 1);
  return end;
}

function isEscaped(text: string, quote: number): boolean {
  let backslashes = 0;
  for (let i = quote - 1; text.charCodeAt(i) === 0x5c; i--) backslashes += 1;
  return backslashes % 2 === 1;
}
