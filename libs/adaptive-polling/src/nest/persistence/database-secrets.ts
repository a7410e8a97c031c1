import { redactSecrets } from '../../core/redact';

/**
 * What must never appear in a log line or an error message: the database
 * URL's password (raw and URL-decoded) and the URL itself.
 */
export class DatabaseSecrets {
  private readonly secrets: string[];

  constructor(url: string | null) {
    const found = new Set<string>();
    if (url) {
      found.add(url);
      try {
        const parsed = new URL(url);
        if (parsed.password) {
          found.add(parsed.password);
          found.add(decodeURIComponent(parsed.password));
        }
      } catch {
        // Not a URL: the whole string is treated as the secret.
      }
    }
    // Longest first, so a secret containing another is masked whole.
    this.secrets = [...found].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  }

  /** `text` with every known secret masked and generic secret patterns redacted. */
  scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('***');
    return redactSecrets(out);
  }

  /** A one-line, secret-free description of a thrown value (message only, never the stack). */
  describeError(error: unknown): string {
    const message = error instanceof Error ? error.message || error.name : String(error);
    return this.scrub(message.replace(/\s+/g, ' ').trim()).slice(0, 500);
  }
}

/** A description of where data is kept, safe to print: no user, no password. */
export function describeDatabase(url: string | null, sqlitePath: string): string {
  if (!url) return `SQLite at ${sqlitePath}`;
  try {
    const parsed = new URL(url);
    return `PostgreSQL at ${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  } catch {
    return 'PostgreSQL (unparseable URL)';
  }
}
