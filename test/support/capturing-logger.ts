import { ConsoleLogger } from '@nestjs/common';

/** A Nest logger that keeps every line (level, context, message) for the test to read, and prints nothing. */
export class CapturingLogger extends ConsoleLogger {
  readonly lines: string[] = [];

  protected override printMessages(messages: unknown[], context?: string, logLevel?: string): void {
    for (const message of messages)
      this.lines.push(`${logLevel} [${context}] ${typeof message === 'string' ? message : JSON.stringify(message)}`);
  }
}
