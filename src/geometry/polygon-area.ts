/**
 * The area of a polygon from its vertices (the shoelace formula): the one place tessera computes
 * it, for domains, cells, self-checks and the explorer.
 */

/**
 * Signed area of the polygon whose vertices are (u, v) pairs `count` long from vertex `start` of
 * `uv`: positive when they run counter-clockwise.
 */
export function signedPolygonArea(uv: ArrayLike<number>, start = 0, count = (uv.length >> 1) - start): number {
  let twice = 0;
  for (let k = 0; k < count; k++) {
    const i = start + k;
    const j = start + ((k + 1) % count);
    twice += uv[2 * i] * uv[2 * j + 1] - uv[2 * j] * uv[2 * i + 1];
  }
  return twice / 2;
}
