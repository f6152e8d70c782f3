/** @cvae/images' DIGIT_COLORS (matplotlib's tab10), copied: the web bundle imports no Node package code. */
export const DIGIT_COLORS: readonly (readonly [number, number, number])[] = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207],
];
