// Lambda entry points wire their AWS adapters on the first invocation (once per container): the
// environment is parsed there, so the local runtime and tests can import a handler module for its
// factory without the Lambda's environment. SDK clients stay at module scope in each handler.

/** A handler that builds the real one on its first call and reuses it afterwards. */
export function wiredOnFirstCall<A extends unknown[], R>(
  build: () => (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  let wired: ((...args: A) => Promise<R>) | undefined;
  return (...args) => {
    wired ??= build();
    return wired(...args);
  };
}
