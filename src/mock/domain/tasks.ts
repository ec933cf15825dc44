/**
 * Tasks (em-api-notes §5.6): created by the actions, per logon session ("created … in response to client requests
 * within the currently existing logon session"), IDs task-1, task-2, … They are Running until `durationMs` has
 * passed on the mock's clock, then Finished with their Result.
 */
export interface TaskRec {
  num: number;
  id: string;
  operation: string;
  created: number;
  doneAt: number;
  success: boolean;
  message: string;
}

interface SessionTasks {
  next: number;
  tasks: Map<string, TaskRec>;
}

// CHOICE: task numbers count per logon session from task-1; a logon session keeps its newest 1000 tasks and the
// registry its 10000 most recently active logon sessions (older ones are forgotten, like expired sessions).
const MAX_TASKS_PER_SESSION = 1000;
const MAX_SESSIONS = 10_000;

export class TaskRegistry {
  private readonly sessions = new Map<string, SessionTasks>();
  constructor(readonly durationMs = 2000) {}

  private of(logonSessionId: string, create: boolean): SessionTasks | undefined {
    let s = this.sessions.get(logonSessionId);
    if (s) {
      // Most recently used last.
      this.sessions.delete(logonSessionId);
      this.sessions.set(logonSessionId, s);
    } else if (create) {
      s = { next: 1, tasks: new Map() };
      this.sessions.set(logonSessionId, s);
      if (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    }
    return s;
  }

  create(logonSessionId: string, operation: string, now: number, success: boolean, message: string): TaskRec {
    const s = this.of(logonSessionId, true)!;
    const num = s.next++;
    const t: TaskRec = { num, id: `task-${num}`, operation, created: now, doneAt: now + this.durationMs, success, message };
    s.tasks.set(t.id, t);
    if (s.tasks.size > MAX_TASKS_PER_SESSION) s.tasks.delete(s.tasks.keys().next().value!);
    return t;
  }

  list(logonSessionId: string): TaskRec[] {
    return [...(this.of(logonSessionId, false)?.tasks.values() ?? [])];
  }

  get(logonSessionId: string, id: string): TaskRec | undefined {
    return this.of(logonSessionId, false)?.tasks.get(id.toLowerCase());
  }

  delete(logonSessionId: string, id: string): boolean {
    return this.of(logonSessionId, false)?.tasks.delete(id.toLowerCase()) ?? false;
  }

  count(): number {
    let n = 0;
    for (const s of this.sessions.values()) n += s.tasks.size;
    return n;
  }
}
