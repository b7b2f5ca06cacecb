// Part of the plane kernel (plane-cut.as, the entry, imports it; AssemblyScript, built with it).
// The numbers every part of the plane kernel uses: rounding units, limits, the cut's outcomes and sides.

export const EPS: f64 = 1.1102230246251565e-16; // 2^-53
export const FILTER_EPS: f64 = 4 * EPS;
export const TINY: f64 = 9.332636185032189e-302; // 2^-1000
export const MIN_NORMAL: f64 = 2.2250738585072014e-308; // 2^-1022
export const SATURATED: f64 = 1.7976931348623157e308; // map-error.ts's SATURATED (Number.MAX_VALUE)
export const GROW: f64 = 1 + 4 * EPS;
export const REFRESH: i32 = 256;
export const WHOLE_PLUS: i32 = 1;
export const WHOLE_MINUS: i32 = 2;
export const SPLIT: i32 = 4;
export const SIDE_PLUS: i32 = 0;
export const SIDE_MINUS: i32 = 1;
export const SIDE_DOMAIN: i32 = 2;
