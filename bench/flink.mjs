/**
 * Flink 2.0's own classes on the reference workloads, as bench-workloads.md
 * gives them (JDK 17, C2, median of 5 one-second rounds after 3 s of warm-up,
 * this machine's kind). `ns` is the time per op the figure stands for, as a
 * [low, high] range when the document gives a range.
 */
export const FLINK = {
  W1: { text: '0.52 ns per pair', ns: [0.52, 0.52] },
  W2: { text: '0.63 ns per pair', ns: [0.63, 0.63] },
  W3: { text: '81–93 GB/s (≈ 360–400 ns per copy)', ns: [360, 400] },
  W4: { text: '7.0 ns per compare', ns: [7.0, 7.0] },
  W5: { text: '20 ns per swap', ns: [20, 20] },
  W6put: { text: '85–107 GB/s (≈ 10–12 ns per call)', ns: [10, 12] },
  W6get: { text: '100–108 GB/s (≈ 10–12 ns per call)', ns: [10, 12] },
  W7: { text: '129 ns per page', ns: [129, 129] },
  W8: { text: '43 ns per cycle', ns: [43, 43] },
};
