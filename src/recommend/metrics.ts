/** Area under the ROC curve via the rank-sum statistic, ties averaged; NaN when one class is absent. */
export function auc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]] === 1) {
        positives++;
        rankSum += averageRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Fraction of responses on the right side of 0.5. */
export function accuracy(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  let right = 0;
  for (let i = 0; i < labels.length; i++) if ((scores[i] >= 0.5 ? 1 : 0) === labels[i]) right++;
  return labels.length ? right / labels.length : NaN;
}

export const logit = (p: number): number => Math.log(p / (1 - p));
export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
