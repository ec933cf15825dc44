/**
 * State changes the actions make (em-api-notes §5.2, §5.5; rules ACT-005…ACT-008): starting a job creates a running
 * session (State Working, Result None, no EndTimeUTC), stopping ends it (State Stopped, Result Failed,
 * FailureMessage "Job has been stopped by user."), toggling flips ScheduleEnabled.
 */
import { STOPPED_BY_USER } from './generate.ts';
import {
  F_RESTORE_POINT,
  F_RETRY,
  F_VM_RESTORE_POINT,
  R_FAILED,
  R_NONE,
  R_SUCCESS,
  R_WARNING,
  ST_STOPPED,
  ST_WORKING,
  type Store,
  TS_COMPLETED,
  TS_INPROGRESS,
  TS_PENDING,
} from './store.ts';

/** The newest session of a job that is still running, or -1. */
export function runningSessionOf(store: Store, job: number): number {
  const list = store.sessionsOfJob(job);
  for (let k = list.length - 1; k >= 0; k--) if (store.isRunning(list[k]!)) return list[k]!;
  return -1;
}

/** The newest session of a job, or -1. */
export function lastSessionOf(store: Store, job: number): number {
  const list = store.sessionsOfJob(job);
  return list.length ? list[list.length - 1]! : -1;
}

/** Starts a run of a VM job or an agent job at `now`; returns the (parent) session index. */
export function startJob(store: Store, jobIndex: number, now: number, retry = false): number {
  const job = store.jobs[jobIndex]!;
  let objects = job.objects.map((_, k) => k);
  if (retry) {
    // A retry processes again what failed in the last run (VM tasks or agent children).
    const last = lastSessionOf(store, jobIndex);
    if (last >= 0) {
      const failed = new Set<number>();
      if (job.kind === 'agent') {
        for (const c of store.childSessions(last)) if (store.sResult.get(c) === R_FAILED) failed.add(store.jobs[store.sJob.get(c)]!.objects[0]!);
      } else {
        const first = store.sFirstTask.get(last);
        for (let t = first; t < first + store.sTaskCount.get(last); t++) if (store.tResult.get(t) === R_FAILED) failed.add(store.tObject.get(t));
      }
      const subset = objects.filter((k) => failed.has(job.objects[k]!));
      if (subset.length) objects = subset;
    }
  }
  const common = { ended: NaN, state: ST_WORKING, result: R_NONE, flags: retry ? F_RETRY : 0, progress: 0, message: -1 };
  const session = store.appendSession({ ...common, job: jobIndex, created: now, parent: -1 });
  if (job.kind === 'agent') {
    for (const k of objects) {
      const child = store.appendSession({ ...common, job: job.children[k]!, created: now, parent: session });
      store.appendTask({ session: child, object: job.objects[k]!, created: now, ended: NaN, state: TS_INPROGRESS, result: R_NONE, flags: 0, reason: -1, size: 0 });
    }
  } else {
    objects.forEach((k, n) =>
      store.appendTask({ session, object: job.objects[k]!, created: now, ended: NaN, state: n === 0 ? TS_INPROGRESS : TS_PENDING, result: R_NONE, flags: 0, reason: -1, size: 0 }),
    );
  }
  return session;
}

function finish(store: Store, i: number, now: number, result: number, message: number): void {
  let ok = false;
  const first = store.sFirstTask.get(i);
  for (let t = first; t < first + store.sTaskCount.get(i); t++) {
    if (store.tState.get(t) !== TS_COMPLETED) {
      store.tState.set(t, TS_COMPLETED);
      store.tResult.set(t, R_FAILED);
      store.tReason.set(t, message);
      store.tEnded.set(t, now);
    }
    const r = store.tResult.get(t);
    if (r === R_SUCCESS || r === R_WARNING) {
      ok = true;
      store.tFlags.set(t, store.tFlags.get(t) | F_VM_RESTORE_POINT);
    }
  }
  store.sState.set(i, ST_STOPPED);
  store.sResult.set(i, result);
  store.sEnded.set(i, Math.max(now, store.sCreated.get(i)));
  store.sMessage.set(i, message);
  const hasTasks = store.sTaskCount.get(i) > 0;
  if (ok && hasTasks) store.sFlags.set(i, store.sFlags.get(i) | F_RESTORE_POINT);
  store.version++;
}

/**
 * Stops a running session (and, for an AgentBackup parent, its running children). Returns false when the session
 * is not running. CHOICE: a stopped session ends with Result Failed and FailureMessage "Job has been stopped by
 * user."; its unfinished task sessions end Completed/Failed with that Reason (real VBR reports user-stopped runs as
 * failed); a parent whose last running child is stopped finishes with the worst result of its children.
 */
export function stopSession(store: Store, i: number, now: number): boolean {
  if (!store.isRunning(i)) return false;
  const message = store.message(STOPPED_BY_USER);
  for (const c of store.childSessions(i)) if (store.isRunning(c)) finish(store, c, now, R_FAILED, message);
  finish(store, i, now, R_FAILED, message);
  const parent = store.sParent.get(i);
  if (parent >= 0 && store.isRunning(parent)) {
    const children = store.childSessions(parent);
    if (children.every((c) => !store.isRunning(c))) {
      let worst = R_SUCCESS;
      for (const c of children) worst = Math.max(worst, store.sResult.get(c));
      finish(store, parent, now, worst, worst === R_SUCCESS ? -1 : message);
    }
  }
  return true;
}

export function toggleSchedule(store: Store, job: number): boolean {
  const rec = store.jobs[job]!;
  rec.scheduleEnabled = !rec.scheduleEnabled;
  store.version++;
  return rec.scheduleEnabled;
}
