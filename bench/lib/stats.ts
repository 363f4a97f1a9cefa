/** Small statistics shared by the benchmarks. */

/** The middle value (the upper of the two middles for an even count); `xs` is not modified. */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
