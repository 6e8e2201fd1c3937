// The time a reader sees, as lecturelab.transcript.format.short_clock writes it in the pages and the
// Markdown: seconds as M:SS under an hour, H:MM:SS from an hour on (4500 -> 1:15:00, 545 -> 9:05).
function clock(t) {
  t = Math.floor(t);
  const h = Math.floor(t / 3600), m = Math.floor(t % 3600 / 60), ss = String(t % 60).padStart(2, "0");
  return h ? h + ":" + String(m).padStart(2, "0") + ":" + ss : m + ":" + ss;
}
