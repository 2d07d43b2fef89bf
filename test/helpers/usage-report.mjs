// Preloaded (`node --import`) into a process whose cost a test measures: at exit it writes the
// process's own peak resident set size (kilobytes) and CPU time (milliseconds, user + system),
// as the kernel counted them (getrusage), to the file named by LABFORGE_USAGE_FILE.
import { writeFileSync } from 'node:fs';

const out = process.env.LABFORGE_USAGE_FILE;
if (out) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ maxRssKb: u.maxRSS, cpuMs: Math.round((u.userCPUTime + u.systemCPUTime) / 1000) }));
  });
}
