/** A one-line progress bar on a TTY; plain "label n/total" lines at a few steps elsewhere (CI logs). */
export function progressBar(label: string, total: number, out: NodeJS.WriteStream = process.stderr) {
  const tty = out.isTTY === true;
  let lastPct = -1;
  return {
    update(done: number) {
      const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
      if (pct === lastPct) return;
      if (!tty && pct % 25 !== 0) return;
      lastPct = pct;
      const bar = '█'.repeat(Math.round(pct / 4)).padEnd(25, '░');
      out.write(tty ? `\r${label} ${bar} ${pct}% (${done}/${total})` : `${label} ${pct}% (${done}/${total})\n`);
    },
    done() {
      if (tty) out.write('\n');
    },
  };
}
