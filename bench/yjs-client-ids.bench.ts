/**
 * What one keystroke costs Yjs as a document's history gathers client ids.
 *
 * Every browser session that types into a document gets a new Yjs client id, and Yjs builds state
 * vectors over every client id the document has seen in each transaction. This benchmark builds
 * documents whose history holds 50 (the baseline, about one benchmark room), 500, 2,000 and 5,000
 * client ids (each typed one character), then times applying 2,000 one-character updates from one
 * more editor, as the collaboration server does for every edit (`Y.applyUpdate`, with an `update`
 * listener as the server has). A control document holds as many characters, all from one client id.
 * Prints µs per keystroke and the ratio to the baseline, measured in the same run; writes
 * bench/results/yjs-client-ids.json.
 *
 *   npx tsx bench/yjs-client-ids.bench.ts [--keystrokes 2000]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as Y from "yjs";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const KEYSTROKES = flag("keystrokes", 2000);
const SIZES = [50, 500, 2000, 5000];

/** A document whose history holds `clients` client ids, each of which typed one character. */
function documentWithHistory(clients: number): Y.Doc {
  const doc = new Y.Doc();
  doc.getText("t");
  for (let i = 0; i < clients; i++) {
    const session = new Y.Doc();
    session.clientID = 1_000 + i;
    session.getText("t").insert(0, "x");
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(session));
    session.destroy();
  }
  return doc;
}

/** The control: as many one-character items in the text, all typed by one client id. */
function documentWithOneClient(items: number): Y.Doc {
  const doc = new Y.Doc();
  const session = new Y.Doc();
  session.clientID = 1_000;
  // Each character typed before the previous one: separate items, as in the documents above.
  for (let i = 0; i < items; i++) session.getText("t").insert(0, "x");
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(session));
  session.destroy();
  return doc;
}

/** µs per keystroke: one more editor's one-character updates applied to `doc`, as the server applies them. */
function applyCost(doc: Y.Doc): number {
  const editor = new Y.Doc();
  editor.clientID = 999_999_999;
  Y.applyUpdate(editor, Y.encodeStateAsUpdate(doc));
  const updates: Uint8Array[] = [];
  editor.on("update", (update: Uint8Array) => updates.push(update));
  for (let i = 0; i < KEYSTROKES; i++) editor.getText("t").insert(i % 7, "y");
  let relayed = 0;
  doc.on("update", (update: Uint8Array) => (relayed += update.length));
  const warmup = Math.min(200, updates.length / 10);
  for (let i = 0; i < warmup; i++) Y.applyUpdate(doc, updates[i]);
  const t0 = performance.now();
  for (let i = warmup; i < updates.length; i++) Y.applyUpdate(doc, updates[i]);
  const us = ((performance.now() - t0) * 1000) / (updates.length - warmup);
  if (relayed === 0) throw new Error("no update was applied");
  return us;
}

const results: { clientIds: number; usPerKeystroke: number; ratio: number }[] = [];
let baseline = NaN;
console.log(`Yjs: one keystroke applied to a document by how many client ids its history holds (${KEYSTROKES} keystrokes each)`);
console.log(`Machine: ${os.cpus()[0]?.model}, ${os.cpus().length} cores, Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
for (const clients of SIZES) {
  const us = applyCost(documentWithHistory(clients));
  if (clients === SIZES[0]) baseline = us;
  const ratio = Math.round((us / baseline) * 100) / 100;
  results.push({ clientIds: clients, usPerKeystroke: Math.round(us * 10) / 10, ratio });
  console.log(`${String(clients).padStart(6)} client ids: ${us.toFixed(1).padStart(8)} µs per keystroke, ${ratio}× the ${SIZES[0]}-id document`);
}
// The control: the largest history's items, from one client id (is it the ids, or the items?).
const last = SIZES[SIZES.length - 1];
const control = applyCost(documentWithOneClient(last));
const controlRatio = Math.round((control / baseline) * 100) / 100;
console.log(`${String(last).padStart(6)} items, 1 client id: ${control.toFixed(1).padStart(8)} µs per keystroke, ${controlRatio}× the ${SIZES[0]}-id document (control)`);
const out = path.join(path.dirname(new URL(import.meta.url).pathname), "results", "yjs-client-ids.json");
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version }, keystrokes: KEYSTROKES, results, control: { items: last, clientIds: 1, usPerKeystroke: Math.round(control * 10) / 10, ratio: controlRatio } }, null, 2)}\n`);
console.log(`Wrote ${path.relative(process.cwd(), out)}`);
