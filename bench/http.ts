/**
 * One HTTP helper shared by the bench and the API tests: both drive the real API over
 * loopback. Kept here because the bench is compiled on its own (tsconfig.build.json) and
 * cannot import from `test/`.
 */

/**
 * POSTs `body` as JSON (a string is sent as it is, so a test can send malformed JSON) and
 * reads the answer: parsed JSON, the text when it is not JSON, undefined when empty.
 */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text for the failure message
  }
  return { status: res.status, body: parsed };
}
