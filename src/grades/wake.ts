/** Workers in this process wake at once when a grade is queued here, instead of at their next poll. */
const sleepers = new Set<() => void>();

export function onGradeQueued(wake: () => void): () => void {
  sleepers.add(wake);
  return () => sleepers.delete(wake);
}

export function nudgeWorkers(): void {
  for (const wake of sleepers) wake();
}
