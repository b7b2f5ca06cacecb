/**
 * Principal components, so that high-dimensional data (MNIST's 784 pixels) can be projected to
 * k dimensions where exact region counts are possible. The covariance is accumulated over the
 * non-zero entries of each centred-free row (MNIST is ~80% zeros, so this is ~20x cheaper than a
 * dense product), then the top k eigenvectors come from orthogonal (subspace) iteration with a
 * Rayleigh-Ritz step, which converges in a few dozen iterations for well-separated spectra.
 */

export interface Pca {
  inputSize: number;
  k: number;
  mean: Float64Array;
  /** k x inputSize, row-major, orthonormal rows, in decreasing order of variance. */
  components: Float64Array;
  /** Variance along each component. */
  variances: Float64Array;
}

export function fitPca(x: Float64Array, count: number, d: number, k: number): Pca {
  if (!Number.isInteger(k) || k < 1 || k > d) throw new Error(`pca: k must be an integer in 1..${d}, got ${k}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < count; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= count;
  // Second moments from the sparse rows, then subtract the mean's outer product.
  const cov = new Float64Array(d * d);
  const nz = new Int32Array(d);
  const nzv = new Float64Array(d);
  for (let i = 0; i < count; i++) {
    let m = 0;
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j];
      if (v !== 0) {
        nz[m] = j;
        nzv[m++] = v;
      }
    }
    for (let a = 0; a < m; a++) {
      const row = nz[a] * d;
      const va = nzv[a];
      for (let b = 0; b < m; b++) cov[row + nz[b]] += va * nzv[b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b] = cov[a * d + b] / count - mean[a] * mean[b];
  const { vectors, values } = topEigen(cov, d, k);
  return { inputSize: d, k, mean, components: vectors, variances: values };
}

/** Project rows of x (count x d) onto the components: count x k. */
export function projectPca(pca: Pca, x: Float64Array, count: number): Float64Array {
  const { inputSize: d, k, mean, components } = pca;
  const out = new Float64Array(count * k);
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < k; c++) {
      let acc = 0;
      for (let j = 0; j < d; j++) acc += (x[i * d + j] - mean[j]) * components[c * d + j];
      out[i * k + c] = acc;
    }
  }
  return out;
}

/** Top-k eigenpairs of a symmetric d x d matrix by subspace iteration + Rayleigh-Ritz. */
export function topEigen(a: Float64Array, d: number, k: number, maxIterations = 2000): { vectors: Float64Array; values: Float64Array } {
  // Deterministic start: a fixed pseudo-random block (no seed needed: the result does not depend on it).
  let q: Float64Array = new Float64Array(k * d);
  let s = 12345;
  for (let i = 0; i < q.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    q[i] = s / 4294967296 - 0.5;
  }
  orthonormalise(q, k, d);
  const z = new Float64Array(k * d);
  let values: Float64Array = new Float64Array(k);
  for (let it = 0; it < maxIterations; it++) {
    // z = A q (rows of q are vectors).
    for (let c = 0; c < k; c++) {
      for (let i = 0; i < d; i++) {
        let acc = 0;
        const rowA = i * d;
        for (let j = 0; j < d; j++) acc += a[rowA + j] * q[c * d + j];
        z[c * d + i] = acc;
      }
    }
    orthonormalise(z, k, d);
    const ritz = rayleighRitz(a, z, k, d);
    q = ritz.vectors;
    values = ritz.values;
    // Every 5 iterations: stop when each ||A v - lambda v|| is below 1e-12 of the largest eigenvalue.
    if (it % 5 === 4 && maxResidual(a, q, values, k, d) <= 1e-12 * Math.abs(values[0])) break;
  }
  // Sign convention: the largest-magnitude entry of each component is positive.
  for (let c = 0; c < k; c++) {
    let best = 0;
    for (let j = 0; j < d; j++) if (Math.abs(q[c * d + j]) > Math.abs(q[c * d + best])) best = j;
    if (q[c * d + best] < 0) for (let j = 0; j < d; j++) q[c * d + j] = -q[c * d + j];
  }
  return { vectors: q, values };
}

function maxResidual(a: Float64Array, q: Float64Array, values: Float64Array, k: number, d: number): number {
  let worst = 0;
  for (let c = 0; c < k; c++) {
    let r2 = 0;
    for (let i = 0; i < d; i++) {
      let s = -values[c] * q[c * d + i];
      for (let j = 0; j < d; j++) s += a[i * d + j] * q[c * d + j];
      r2 += s * s;
    }
    worst = Math.max(worst, Math.sqrt(r2));
  }
  return worst;
}

/** Modified Gram-Schmidt on the k rows of q (d each). */
function orthonormalise(q: Float64Array, k: number, d: number): void {
  for (let c = 0; c < k; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += q[c * d + j] * q[p * d + j];
      for (let j = 0; j < d; j++) q[c * d + j] -= dot * q[p * d + j];
    }
    let norm = 0;
    for (let j = 0; j < d; j++) norm += q[c * d + j] ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < d; j++) q[c * d + j] /= norm;
  }
}

/** Rotate the orthonormal block q to the eigenvectors of q A q^T (Jacobi on the k x k matrix). */
function rayleighRitz(a: Float64Array, q: Float64Array, k: number, d: number): { vectors: Float64Array; values: Float64Array } {
  const aq = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < d; i++) {
      let acc = 0;
      for (let j = 0; j < d; j++) acc += a[i * d + j] * q[c * d + j];
      aq[c * d + i] = acc;
    }
  }
  const h = new Float64Array(k * k);
  for (let r = 0; r < k; r++)
    for (let c = 0; c < k; c++) {
      let acc = 0;
      for (let j = 0; j < d; j++) acc += q[r * d + j] * aq[c * d + j];
      h[r * k + c] = acc;
    }
  const { values, vectors: v } = jacobiEigen(h, k);
  const order = Array.from({ length: k }, (_, i) => i).sort((x, y) => values[y] - values[x]);
  const out = new Float64Array(k * d);
  const sorted = new Float64Array(k);
  order.forEach((src, dst) => {
    sorted[dst] = values[src];
    for (let r = 0; r < k; r++) {
      const coef = v[r * k + src];
      for (let j = 0; j < d; j++) out[dst * d + j] += coef * q[r * d + j];
    }
  });
  return { vectors: out, values: sorted };
}

/** Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations (columns of vectors). */
export function jacobiEigen(m: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = m.slice();
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < n; r++) {
          const arp = a[r * n + p];
          const arq = a[r * n + q];
          a[r * n + p] = c * arp - s * arq;
          a[r * n + q] = s * arp + c * arq;
        }
        for (let r = 0; r < n; r++) {
          const apr = a[p * n + r];
          const aqr = a[q * n + r];
          a[p * n + r] = c * apr - s * aqr;
          a[q * n + r] = s * apr + c * aqr;
        }
        for (let r = 0; r < n; r++) {
          const vrp = v[r * n + p];
          const vrq = v[r * n + q];
          v[r * n + p] = c * vrp - s * vrq;
          v[r * n + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i];
  return { values, vectors: v };
}
