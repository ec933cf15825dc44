import type { Reporter, TestCase, TestStep, TestResult } from '@playwright/test/reporter';
export default class StepCounter implements Reporter {
  byCat = new Map<string, number>(); byTest = new Map<string, number>(); byTitle = new Map<string, number>();
  onStepBegin(test: TestCase, _r: TestResult, step: TestStep) {
    this.byCat.set(step.category, (this.byCat.get(step.category) ?? 0) + 1);
    const k = `${test.parent.project()?.name} ${test.title}`;
    this.byTest.set(k, (this.byTest.get(k) ?? 0) + 1);
    const t = `${step.category} ${step.title.slice(0, 60)}`;
    this.byTitle.set(t, (this.byTitle.get(t) ?? 0) + 1);
  }
  onEnd() {
    console.log([...this.byCat]);
    console.log([...this.byTest].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${v}\t${k}`).join('\n'));
    console.log([...this.byTitle].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${v}\t${k}`).join('\n'));
  }
}
