/**
 * @module bench/proc
 * Reads another process's resident memory and CPU time from /proc (Linux).
 */
import { readFileSync } from 'node:fs';

/** Resident set size of a process in bytes (VmRSS). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** CPU time a process used so far in user space and in the kernel (system calls), in milliseconds. */
export function cpuSplitMs(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const msPerTick = 1000 / 100;
  return { user: Number(fields[11]) * msPerTick, system: Number(fields[12]) * msPerTick };
}

/** CPU time (user + system) a process used so far, in milliseconds. */
export function cpuMs(pid: number): number {
  const { user, system } = cpuSplitMs(pid);
  return user + system;
}
