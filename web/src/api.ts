/** HTTP calls to the gateway with the session's bearer token: one silent refresh and retry
 * on a 401, problem details (RFC 9457) turned into `ApiError`s the views can show. */
import { accessToken, refresh } from "./auth";

export interface Problem {
  status: number;
  title?: string;
  detail?: string;
  errors?: unknown[]; // `field: reason` strings or `{field, reason}` objects
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
  get forbidden(): boolean {
    return this.problem.status === 403;
  }
}

async function send(path: string, init: RequestInit): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = accessToken();
  if (token) headers.set("Authorization", `Bearer ${token}`);
  return fetch(path, { ...init, headers, credentials: "same-origin" });
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  let response = await send(path, init);
  if (response.status === 401 && (await refresh())) response = await send(path, init);
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new ApiError({ status: response.status, ...body });
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export function postJson<T>(path: string, body: unknown, extra: Record<string, string> = {}): Promise<T> {
  return api<T>(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...extra },
    body: JSON.stringify(body),
  });
}

export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export function sendJson<T>(method: "PUT" | "PATCH", path: string, body: unknown): Promise<T> {
  return api<T>(path, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

/** A file from the API (the bearer token cannot ride on a plain link), saved through a
 * blob URL under the name the answer's `Content-Disposition` gives. */
export async function download(path: string, fallbackName: string): Promise<string> {
  let response = await send(path, {});
  if (response.status === 401 && (await refresh())) response = await send(path, {});
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new ApiError({ status: response.status, ...body });
  }
  const named = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "");
  const name = named?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}
