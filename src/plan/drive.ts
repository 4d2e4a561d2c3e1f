/**
 * A computation written as a generator that yields only what it has to wait for (the thenables
 * a jsonata-fallback expression returns) and is given back the awaited value, or has its
 * rejection thrown in at the `yield`, exactly as `await` would.
 */
export type Steps<T> = Generator<PromiseLike<unknown>, T, unknown>;

/**
 * Runs `steps` synchronously for as long as nothing has to be waited for, and returns its
 * value; from the first thenable on it goes on asynchronously and a promise of the value is
 * returned. Expressions of the compiled backend return values, so a plan of a map without
 * fallbacks costs no promise and no turn of the microtask queue.
 */
export function drive<T>(steps: Steps<T>): T | Promise<T> {
  const r = steps.next();
  if (r.done) return r.value;
  return resume(steps, r.value);
}

async function resume<T>(steps: Steps<T>, first: PromiseLike<unknown>): Promise<T> {
  let pending = first;
  for (;;) {
    let value: unknown;
    let failed = false;
    let error: unknown;
    try {
      value = await pending;
    } catch (err) {
      failed = true;
      error = err;
    }
    const r = failed ? steps.throw(error) : steps.next(value);
    if (r.done) return r.value;
    pending = r.value;
  }
}
