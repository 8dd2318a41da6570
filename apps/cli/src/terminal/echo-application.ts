/**
 * The smallest application on a line console: a welcome screen ("Strachey
 * ONLINE") and every entered line answered with "ECHO: line"; LOGOFF ends the
 * session. It shows the terminal side of CP without any of CP's logic.
 */
import { LineConsole, type LineConsoleOptions } from './line-console';
import type { TerminalPort } from './local-terminal';

/** Run the echo application on a terminal; returns its console. */
export function startEchoApplication(terminal: TerminalPort, options: LineConsoleOptions = {}): LineConsole {
  const console = new LineConsole(terminal, { state: 'RUNNING', ...options });
  console.print(
    [
      'Strachey ONLINE',
      '',
      'A 3270 line-mode console. Each line you enter is echoed back;',
      'LOGOFF disconnects.',
    ].join('\n'),
  );
  console.onLine((line) => {
    if (line.trim().toUpperCase() === 'LOGOFF') {
      console.print('LOGOFF');
      terminal.close('LOGOFF');
      return;
    }
    console.print(`ECHO: ${line}`);
    console.setState('CP READ');
  });
  console.setState('CP READ');
  return console;
}
