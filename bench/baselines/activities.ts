/** The baselines' one activity: returns at once, so only the engine's cost is measured. */
export const baselineActivities = {
  async noop(i: number): Promise<number> {
    return i >= 0 ? 1 : 0;
  },
};

export type BaselineActivities = typeof baselineActivities;
