/**
 * A value computed once per object and kept as long as the object lives (a WeakMap), for what
 * the engines derive from a compiled step and need again for every cell: transposed weights,
 * norms, largest slopes, column maxima.
 *
 *   export const normInfOf = perObject(affineNormInf);   // (step) => number, computed once
 */
export function perObject<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = compute(key);
      cache.set(key, value);
    }
    return value;
  };
}
