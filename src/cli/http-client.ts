/** Tiny helpers for commands that ask a running server (health, status). */
export function serverUrl(opt: string | undefined, env: NodeJS.ProcessEnv): string {
  const base = opt ?? env.RAMPART_URL ?? `http://127.0.0.1:${env.RAMPART_PORT ?? 8000}`;
  return base.replace(/\/+$/, '');
}

export async function getJson(url: string, timeoutMs = 5000): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text so the message can show it.
  }
  return { status: res.status, body };
}
