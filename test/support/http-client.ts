import type { INestApplication } from '@nestjs/common';

export interface HttpResult {
  status: number;
  /** Parsed JSON body, or null when the body is not JSON. */
  json: any;
  text: string;
  headers: Headers;
}

export interface HttpClient {
  baseUrl: string;
  request(
    method: string,
    path: string,
    options?: { token?: string; headers?: Record<string, string>; body?: unknown },
  ): Promise<HttpResult>;
}

/** Listens on a free loopback port and returns a fetch-based client (supertest is not used). */
export async function listenForTests(app: INestApplication): Promise<HttpClient> {
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  return {
    baseUrl,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
      // A body is sent as JSON text (a string is sent as is, for malformed-JSON cases).
      let body: string | undefined;
      if (options.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      }
      const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
      return { status: response.status, json, text, headers: response.headers };
    },
  };
}

/** The path segment of a target key: `pve::a b` -> `pve%3A%3Aa%20b`. */
export function keyPath(key: string): string {
  return encodeURIComponent(key);
}
