/**
 * The console's session. The access token lives only in this module's memory; the refresh
 * token is an HttpOnly, SameSite=Strict cookie the gateway sets (scoped to /v1/auth), so no
 * script can read it and no token ever appears in a URL or in storage. A reload restores the
 * session by one refresh through that cookie. Refreshes run one at a time across tabs (Web
 * Locks): rotation retires the old token, and two concurrent uses would look like theft and
 * revoke the session.
 */

export interface Me {
  id: string;
  kind: string;
  name: string;
  role: string;
  permissions: string[];
}

interface TokenAnswer {
  access_token: string;
  expires_in: number;
}

type Listener = () => void;

export class AuthError extends Error {}

let access: string | null = null;
let me: Me | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let inFlight: Promise<boolean> | null = null;
const listeners = new Set<Listener>();

export function accessToken(): string | null {
  return access;
}

export function currentUser(): Me | null {
  return me;
}

export function can(permission: string): boolean {
  return me?.permissions.includes(permission) ?? false;
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function changed(): void {
  for (const listener of listeners) listener();
}

/** When to refresh: at 80 % of the lifetime, never sooner than 5 s. */
export function refreshDelayMs(expiresInS: number): number {
  return Math.max(5, expiresInS * 0.8) * 1000;
}

async function tokenRequest(form: Record<string, string>): Promise<TokenAnswer> {
  const response = await fetch("/v1/auth/token", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ ...form, refresh_cookie: "true" }),
  });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new AuthError(problem.detail ?? `login failed (${response.status})`);
  }
  return (await response.json()) as TokenAnswer;
}

async function adopt(answer: TokenAnswer): Promise<void> {
  access = answer.access_token;
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => void refresh(), refreshDelayMs(answer.expires_in));
  const response = await fetch("/v1/auth/me", { headers: { Authorization: `Bearer ${access}` } });
  if (!response.ok) throw new AuthError(`who-am-I failed (${response.status})`);
  me = (await response.json()) as Me;
  changed();
}

export async function login(username: string, password: string): Promise<void> {
  await adopt(await tokenRequest({ grant_type: "password", username, password }));
}

async function refreshOnce(): Promise<boolean> {
  try {
    await adopt(await tokenRequest({ grant_type: "refresh_token" }));
    return true;
  } catch {
    forget();
    return false;
  }
}

/** A new access token through the refresh cookie; false when the session is over. */
export function refresh(): Promise<boolean> {
  if (inFlight) return inFlight;
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  const run = locks ? locks.request("coldchain-refresh", refreshOnce) : refreshOnce();
  inFlight = run.finally(() => {
    inFlight = null;
  });
  return inFlight;
}

export function forget(): void {
  const had = access !== null || me !== null;
  access = null;
  me = null;
  clearTimeout(refreshTimer);
  if (had) changed();
}

export async function logout(): Promise<void> {
  if (access) {
    await fetch("/v1/auth/logout", {
      method: "POST",
      credentials: "same-origin",
      headers: { Authorization: `Bearer ${access}` },
    }).catch(() => undefined);
  }
  forget();
}
