/**
 * Scrubbing of everything the reports show. The reporter runs in Playwright's main process, where the workers'
 * registered secrets (session tokens, SessionIds) are not known: on top of src/suite/redact.ts (the configured
 * passwords and Basic credentials, registered here from the environment) it removes anything token-shaped.
 */
import { configSecrets, loadConfig } from '../suite/config.ts';
import { REDACTED, redact, registerSecret } from '../suite/redact.ts';

const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const GUID_TEXT = new RegExp(`^${GUID}$`);

/** Registers the passwords and Basic credentials of the suite's configuration (environment) for redaction. */
export function registerConfigSecrets(env: NodeJS.ProcessEnv = process.env): void {
  try {
    for (const s of configSecrets(loadConfig(env))) registerSecret(s);
  } catch {
    // an invalid configuration is reported by the suite itself; register what can be read
    for (const name of ['EM_PASSWORD', 'EM_RESTRICTED_PASSWORD']) registerSecret(env[name]);
    if (env.EM_USER && env.EM_PASSWORD) registerSecret(Buffer.from(`${env.EM_USER}:${env.EM_PASSWORD}`).toString('base64'));
  }
}

/** True for base64 text that decodes to a GUID: the shape of an EM session token (em-api-notes §1.5). */
function isTokenShaped(candidate: string): boolean {
  try {
    return GUID_TEXT.test(Buffer.from(candidate, 'base64').toString('latin1'));
  } catch {
    return false;
  }
}

/**
 * redact() plus: base64 runs that decode to a GUID (session tokens), Basic credentials and bearer tokens anywhere,
 * and the GUID of a logon session (its SessionId identifies a live session).
 */
export function scrub(text: string): string {
  return redact(text)
    .replace(/[A-Za-z0-9+/]{40,}={0,2}/g, (m) => (isTokenShaped(m) ? REDACTED : m))
    .replace(/\b(Basic|Bearer)\s+(?=[A-Za-z0-9+/._~-]*[0-9+/=])[A-Za-z0-9+/._~-]{12,}={0,2}/g, `$1 ${REDACTED}`)
    .replace(new RegExp(`(logonSessions/|LogonSession:|SessionId["']?\\s*[:=>]\\s*["']?)${GUID}`, 'g'), `$1${REDACTED}`);
}

/** Strips ANSI colour codes (Playwright's error messages carry them). */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}
