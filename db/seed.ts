/**
 * First-start seed: the committees and the standards in standards/*.md. Idempotent: what exists is
 * left alone, so running it on every start is safe.
 */
import fs from "node:fs";
import path from "node:path";
import { committees } from "./schema";
import { importStandard } from "../app/domain/standards.server";
import { parseStandardFile } from "../app/domain/standard-file";
import { db } from "../app/utils/db.server";

/** The e-WTP working groups seeded on first start. */
export const SEED_COMMITTEES = [
  { code: "TAR", name: "Tariffs and indirect taxes", description: "Duty and VAT/GST treatment of low-value cross-border consignments." },
  { code: "LOG", name: "Logistics and parcel data", description: "Parcel identifiers, labels, postal and courier advance electronic data." },
  { code: "CUS", name: "Customs clearance", description: "Simplified clearance, de minimis routing and declaration data sets." },
  { code: "TRU", name: "Trust and trader identity", description: "Trader identification, trusted-trader recognition and onboarding checks." },
  { code: "PAY", name: "Payments", description: "Cross-border payment data, currency conversion and refunds." },
];

/** The folder of seed standards, resolved from the project root. */
export function standardsFolder(): string {
  return path.resolve(process.cwd(), "standards");
}

/** Seeds committees and standards; returns what was added. */
export function seedDatabase(folder = standardsFolder()): { committees: number; standards: string[] } {
  let addedCommittees = 0;
  db().transaction(() => {
    for (const c of SEED_COMMITTEES) {
      const r = db().insert(committees).values(c).onConflictDoNothing().run();
      addedCommittees += r.changes;
    }
  });
  const added: string[] = [];
  if (!fs.existsSync(folder)) return { committees: addedCommittees, standards: added };
  for (const file of fs.readdirSync(folder).filter((f) => f.endsWith(".md")).sort()) {
    const text = fs.readFileSync(path.join(folder, file), "utf8");
    let parsed;
    try {
      parsed = parseStandardFile(text);
    } catch (err) {
      throw new Error(`standards/${file}: ${(err as Error).message}`);
    }
    if (importStandard(parsed.meta, parsed.body)) added.push(parsed.meta.id);
  }
  return { committees: addedCommittees, standards: added };
}
