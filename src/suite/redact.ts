/**
 * Nothing the suite writes (reports, attachments, error messages) may contain a password, a Basic credential or a
 * session token. Secrets register here as soon as they are known; redact() scrubs any text before it is written.
 */
const secrets = new Set<string>();

export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 4) secrets.add(value);
}

export const REDACTED = '[REDACTED]';

export function redact(text: string): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(REDACTED);
  // Credentials in headers are scrubbed even when not registered (e.g. a server echoing a header back).
  return out
    .replace(/(Authorization:\s*Basic\s+)[A-Za-z0-9+/=]+/gi, `$1${REDACTED}`)
    .replace(/(X-RestSvcSessionId[=:]\s*)[A-Za-z0-9+/=]+/gi, `$1${REDACTED}`);
}

/** Whether a text holds a registered secret (cheap: no copy, no sorting; for checks run on many small values). */
export function containsSecret(text: string): boolean {
  for (const s of secrets) if (text.includes(s)) return true;
  return false;
}

export function registeredSecretCount(): number {
  return secrets.size;
}
