/**
 * Subcommand registry. Each entry adds one subcommand to the program; add a
 * line here when you add a command file.
 */
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [];
import { registerAsm } from './asm';
commands.push(registerAsm);
import { registerRepro } from './repro';
commands.push(registerRepro);
import { registerDemo } from './demo';
commands.push(registerDemo);
import { registerDasd } from './dasd';
commands.push(registerDasd);
import { registerRun } from './run'; commands.push(registerRun);
import { registerPrsm } from './prsm'; commands.push(registerPrsm);
import { registerCp } from './cp'; commands.push(registerCp);
import { registerTrace } from './trace'; commands.push(registerTrace);
