/**
 * The tally of a ballot: a pure function of (rule, roll, votes). No clock, no database, no
 * randomness — the same inputs give the same result on the portal, in a test, or on an outsider's
 * laptop recomputing a ballot from its published record.
 *
 * Every threshold is compared in exact integer arithmetic: a fraction such as 2/3 is never turned
 * into 0.666…, it is cross-multiplied (`3·approve ≥ 2·cast`). A custom fraction given as a decimal
 * number (0.6, 0.75) is read as the exact decimal it was written as (6/10, 75/100).
 *
 * Browser-safe (no Node imports): the ballot form describes the rules with the same words.
 */
import messages from "../i18n/locales/en/governance.json";

export const RULE_PRESETS = ["simple-majority", "iso", "oasis-special-majority", "consensus"] as const;
export type RulePreset = (typeof RULE_PRESETS)[number];

/** What a custom fraction is a fraction of: the votes cast (approvals + counted disapprovals) or all eligible units. */
export type Base = "cast" | "eligible";
export type Threshold = { fraction: number; of: Base };
export type CustomRule = { approve: Threshold; maxDisapprove?: Threshold; excludeDisapproveWithoutReason?: boolean };
/** A ballot's rule: a preset's name, or a custom rule. */
export type BallotRule = RulePreset | CustomRule;

export const POSITIONS = ["approve", "disapprove", "abstain"] as const;
export type Position = (typeof POSITIONS)[number];

/** One voting unit of the frozen roll: a person, or an organisation voted by its representative (null: nobody can vote for it). */
export type RollUnit = { unitId: string; voterId: string | null; label: string };
/** One unit's vote as the tally reads it. */
export type TallyVote = { unitId: string; position: Position; reason?: string | null };

/** The counts the contract publishes. `approve + disapprove + abstain + excluded + notVoted` = the roll's size. */
export type TallyCounts = { approve: number; disapprove: number; abstain: number; excluded: number; notVoted: number };

/**
 * Why a ballot did not pass (empty when it passes):
 * `quorum` too few units voted; `approve-threshold` too few approvals; `disapprove-limit` too many
 * disapprovals; `disapproval` a disapproval under consensus; `no-approvals` not a single approval;
 * `empty-roll` nobody was eligible.
 */
export type RejectionReason = "quorum" | "approve-threshold" | "disapprove-limit" | "disapproval" | "no-approvals" | "empty-roll";

export type TallyOutcome = {
  tally: TallyCounts;
  result: "approved" | "rejected";
  reasons: RejectionReason[];
  /** The rule, the quorum, the votes so far and the verdict, in plain words. */
  explanation: string;
  /** While the ballot is open: what would still have to happen for it to pass. */
  stillNeeded?: string;
  /** The explanation's sentences apart: the rule, the counts, the verdict (for pages that lay them out). */
  parts: { rule: string; counts: string; verdict: string };
};

/** A message lookup: a key below `tally.` in the governance namespace, with interpolation values. */
export type Translate = (key: string, values?: Record<string, unknown>) => string;

export type TallyOptions = {
  /** Fraction (0–1) of eligible units that must vote, abstentions included; none when absent. */
  quorum?: number | null;
  /** True while the ballot is open: the explanation then says what is still needed to pass. */
  open?: boolean;
  /** The words to use (default: English). */
  t?: Translate;
};

// ─── Exact fractions ─────────────────────────────────────────────────────────────────────────────

type Ratio = { num: bigint; den: bigint };

/** A fraction between 0 and 1 as the exact decimal it was written as (0.6 → 6/10); throws on anything else. */
export function toRatio(x: number): Ratio {
  if (typeof x !== "number" || !Number.isFinite(x) || x < 0 || x > 1) throw new RangeError(`A fraction must be a number from 0 to 1, not ${String(x)}.`);
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x));
  if (!m) throw new RangeError(`Cannot read ${String(x)} as a fraction.`);
  const digits = m[1] + (m[2] ?? "");
  const exp = -(m[2]?.length ?? 0) + Number(m[3] ?? 0);
  return exp >= 0 ? { num: BigInt(digits) * 10n ** BigInt(exp), den: 1n } : { num: BigInt(digits), den: 10n ** BigInt(-exp) };
}

const TWO_THIRDS: Ratio = { num: 2n, den: 3n };
const ONE_QUARTER: Ratio = { num: 1n, den: 4n };

/** count ≥ r × base, exactly. */
const atLeast = (count: number, r: Ratio, base: number) => BigInt(count) * r.den >= r.num * BigInt(base);
/** count ≤ r × base, exactly. */
const atMost = (count: number, r: Ratio, base: number) => BigInt(count) * r.den <= r.num * BigInt(base);
/** The smallest whole number n with n ≥ r × base. */
const ceilOf = (r: Ratio, base: number) => Number((r.num * BigInt(base) + r.den - 1n) / r.den);

// ─── Rules ───────────────────────────────────────────────────────────────────────────────────────

/** True when the rule leaves out a disapproval that comes without a reason (so the vote form must ask for one). */
export function excludesDisapprovalWithoutReason(rule: BallotRule): boolean {
  return rule === "iso" || (typeof rule === "object" && rule.excludeDisapproveWithoutReason === true);
}

/** Checks a rule's shape and fractions; returns a message naming what is wrong, or null. */
export function ruleProblem(rule: unknown): string | null {
  if (typeof rule === "string") return (RULE_PRESETS as readonly string[]).includes(rule) ? null : `Unknown rule preset "${rule}".`;
  if (!rule || typeof rule !== "object") return "A rule is a preset's name or a custom rule object.";
  const r = rule as Partial<CustomRule>;
  const threshold = (t: unknown, name: string) => {
    const x = t as Partial<Threshold> | undefined;
    if (!x || typeof x !== "object") return `${name} must be {fraction, of}.`;
    if (x.of !== "cast" && x.of !== "eligible") return `${name}.of must be "cast" or "eligible".`;
    try {
      toRatio(x.fraction as number);
    } catch (err) {
      return `${name}.fraction: ${(err as Error).message}`;
    }
    return null;
  };
  return threshold(r.approve, "approve") ?? (r.maxDisapprove === undefined ? null : threshold(r.maxDisapprove, "maxDisapprove"));
}

/** Whether a vote is left out of the count: a disapproval without a reason under a rule that requires one. */
function isExcluded(rule: BallotRule, v: TallyVote): boolean {
  return v.position === "disapprove" && excludesDisapprovalWithoutReason(rule) && !(v.reason ?? "").trim();
}

/** Counts a roll's votes. Votes of units not on the roll are ignored; two votes for one unit are an error (the portal stores one per unit). */
export function countVotes(rule: BallotRule, roll: readonly RollUnit[], votes: readonly TallyVote[]): TallyCounts {
  const onRoll = new Set(roll.map((u) => u.unitId));
  if (onRoll.size !== roll.length) throw new Error("The roll lists a unit twice.");
  const seen = new Set<string>();
  const counts: TallyCounts = { approve: 0, disapprove: 0, abstain: 0, excluded: 0, notVoted: 0 };
  for (const v of votes) {
    if (!onRoll.has(v.unitId)) continue;
    if (seen.has(v.unitId)) throw new Error(`Two votes for unit ${v.unitId}: a unit has one vote.`);
    seen.add(v.unitId);
    if (isExcluded(rule, v)) counts.excluded++;
    else counts[v.position]++;
  }
  counts.notVoted = roll.length - seen.size;
  return counts;
}

/** The units that voted, whatever their position (what the quorum counts). */
const votedOf = (c: TallyCounts) => c.approve + c.disapprove + c.abstain + c.excluded;

/** Decides a ballot from its counts: the reasons it fails, in a fixed order; none when it passes. */
export function decide(rule: BallotRule, c: TallyCounts, quorum?: number | null): RejectionReason[] {
  const eligible = votedOf(c) + c.notVoted;
  if (eligible === 0) return ["empty-roll"];
  const reasons: RejectionReason[] = [];
  if (quorum !== null && quorum !== undefined && !atLeast(votedOf(c), toRatio(quorum), eligible)) reasons.push("quorum");
  const a = c.approve;
  const d = c.disapprove;
  const cast = a + d;
  const base = (of: Base) => (of === "cast" ? cast : eligible);
  if (rule === "simple-majority") {
    if (!(a > d)) reasons.push("approve-threshold");
  } else if (rule === "iso") {
    if (!atLeast(a, TWO_THIRDS, cast)) reasons.push("approve-threshold");
    if (!atMost(d, ONE_QUARTER, cast)) reasons.push("disapprove-limit");
  } else if (rule === "oasis-special-majority") {
    if (!atLeast(a, TWO_THIRDS, eligible)) reasons.push("approve-threshold");
    if (!atMost(d, ONE_QUARTER, eligible)) reasons.push("disapprove-limit");
  } else if (rule === "consensus") {
    if (d > 0) reasons.push("disapproval");
    // a ≥ ceil(2/3 × eligible) ⇔ a ≥ 2/3 × eligible for a whole number a.
    if (!atLeast(a, TWO_THIRDS, eligible)) reasons.push("approve-threshold");
  } else {
    if (!atLeast(a, toRatio(rule.approve.fraction), base(rule.approve.of))) reasons.push("approve-threshold");
    if (rule.maxDisapprove && !atMost(d, toRatio(rule.maxDisapprove.fraction), base(rule.maxDisapprove.of))) reasons.push("disapprove-limit");
  }
  // Whatever the rule's arithmetic says about 0 ≥ 2/3 × 0, a ballot nobody approved does not pass.
  if (a === 0 && !reasons.includes("approve-threshold")) reasons.push("no-approvals");
  return reasons;
}

/** Tallies a ballot: counts, result, reasons, and the explanation in words (with what is still needed while open). */
export function tally(rule: BallotRule, roll: readonly RollUnit[], votes: readonly TallyVote[], options: TallyOptions = {}): TallyOutcome {
  const t = options.t ?? englishTally;
  const counts = countVotes(rule, roll, votes);
  const reasons = decide(rule, counts, options.quorum);
  const result = reasons.length ? "rejected" : "approved";
  const stillNeeded = options.open ? whatIsStillNeeded(rule, counts, options.quorum ?? null, t) : undefined;
  const parts = {
    rule: describeRule(rule, { quorum: options.quorum ?? null, eligible: roll.length, t }),
    counts: describeCounts(counts, t),
    verdict: roll.length > 0 || !options.open ? describeVerdict(result, reasons, counts, options.quorum ?? null, !!options.open, t) : "",
  };
  const explanation = [parts.rule, parts.counts, parts.verdict, stillNeeded].filter(Boolean).join(" ");
  return { tally: counts, result, reasons, explanation, ...(stillNeeded ? { stillNeeded } : {}), parts };
}

// ─── Words ───────────────────────────────────────────────────────────────────────────────────────

type MessageTree = { [key: string]: string | MessageTree };
const englishMessages = (messages as unknown as { tally: MessageTree }).tally;
const plural = new Intl.PluralRules("en");

/** The English messages of the governance namespace's `tally` section, with i18next-style {{values}} and _one/_other plurals. */
export const englishTally: Translate = (key, values = {}) => {
  const lookup = (k: string): string | undefined => {
    let node: string | MessageTree | undefined = englishMessages;
    for (const part of k.split(".")) node = typeof node === "object" ? node[part] : undefined;
    return typeof node === "string" ? node : undefined;
  };
  const count = values.count;
  const template = (typeof count === "number" ? lookup(`${key}_${plural.select(count)}`) : undefined) ?? lookup(key) ?? key;
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => String(values[name] ?? ""));
};

/** A fraction as a percentage for people (0.5 → "50%", 0.6667 → "66.67%"). */
export function percent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}

/** The rule and the quorum in plain words; with the roll's size when known. */
export function describeRule(rule: BallotRule, options: { quorum?: number | null; eligible?: number | null; t?: Translate } = {}): string {
  const t = options.t ?? englishTally;
  const eligible = options.eligible ?? null;
  const known = eligible !== null && eligible > 0;
  let text: string;
  if (typeof rule === "string") {
    const needed = known ? ceilOf(TWO_THIRDS, eligible) : null;
    const maxD = known ? Number((BigInt(eligible) * ONE_QUARTER.num) / ONE_QUARTER.den) : null;
    text = t(`rule.${rule}`, { eligible, needed, maxDisapprove: maxD });
    if (known && (rule === "oasis-special-majority" || rule === "consensus")) text += " " + t(`rule.${rule}Numbers`, { eligible, needed, maxDisapprove: maxD, count: eligible });
  } else {
    const parts = [t("rule.custom.approve", { fraction: percent(rule.approve.fraction), base: t(`rule.base.${rule.approve.of}`) })];
    if (rule.maxDisapprove) parts.push(t("rule.custom.maxDisapprove", { fraction: percent(rule.maxDisapprove.fraction), base: t(`rule.base.${rule.maxDisapprove.of}`) }));
    if (rule.excludeDisapproveWithoutReason) parts.push(t("rule.custom.excludeWithoutReason"));
    parts.push(t("rule.custom.abstentions"));
    text = parts.join(" ");
  }
  const quorum = options.quorum;
  if (quorum === null || quorum === undefined) text += " " + t("rule.noQuorum");
  else if (known) text += " " + t("rule.quorumNumbers", { fraction: percent(quorum), needed: ceilOf(toRatio(quorum), eligible), eligible, count: eligible });
  else text += " " + t("rule.quorum", { fraction: percent(quorum) });
  text += " " + t("rule.noApprovals");
  return text;
}

/** The votes so far in words. */
function describeCounts(c: TallyCounts, t: Translate): string {
  const eligible = votedOf(c) + c.notVoted;
  if (eligible === 0) return t("counts.emptyRoll");
  const excluded = c.excluded ? t("counts.excluded", { count: c.excluded }) : "";
  return t("counts.summary", { approve: c.approve, disapprove: c.disapprove, abstain: c.abstain, excluded, notVoted: c.notVoted, eligible, count: eligible });
}

/** Each reason in words, with the numbers that make it concrete. */
function describeReasons(reasons: RejectionReason[], c: TallyCounts, quorum: number | null, t: Translate): string {
  const eligible = votedOf(c) + c.notVoted;
  return reasons
    .map((r) =>
      r === "quorum" && quorum !== null
        ? t("reason.quorum", { needed: ceilOf(toRatio(quorum), eligible), voted: votedOf(c), count: votedOf(c) })
        : t(`reason.${r}`, { disapprove: c.disapprove, count: c.disapprove }),
    )
    .join("; ");
}

/** The verdict: as it stands (open) or final (closed). */
function describeVerdict(result: "approved" | "rejected", reasons: RejectionReason[], c: TallyCounts, quorum: number | null, open: boolean, t: Translate): string {
  if (result === "approved") return t(open ? "verdict.wouldPass" : "verdict.approved");
  return t(open ? "verdict.wouldFail" : "verdict.rejected", { reasons: describeReasons(reasons, c, quorum, t) });
}

/**
 * While open: the fewest further approvals (from units that have not voted) that make the ballot
 * pass, or why the remaining votes alone cannot — units may still change their votes until the close.
 */
function whatIsStillNeeded(rule: BallotRule, c: TallyCounts, quorum: number | null, t: Translate): string {
  if (votedOf(c) + c.notVoted === 0) return t("needed.emptyRoll");
  if (decide(rule, c, quorum).length === 0) {
    // How fragile is it: the fewest disapprovals (with reasons) from the units left that would sink it.
    for (let m = 1; m <= c.notVoted; m++) {
      if (decide(rule, { ...c, disapprove: c.disapprove + m, notVoted: c.notVoted - m }, quorum).length) return t("needed.passingFragile", { count: m });
    }
    return t("needed.passingSafe");
  }
  for (let k = 1; k <= c.notVoted; k++) {
    if (decide(rule, { ...c, approve: c.approve + k, notVoted: c.notVoted - k }, quorum).length === 0) {
      return t("needed.approvals", { count: k, left: c.notVoted });
    }
  }
  const best = decide(rule, { ...c, approve: c.approve + c.notVoted, notVoted: 0 }, quorum);
  return t(c.notVoted ? "needed.cannotWithRemaining" : "needed.cannotNobodyLeft", { left: c.notVoted, count: c.notVoted, reasons: describeReasons(best, { ...c, approve: c.approve + c.notVoted, notVoted: 0 }, quorum, t) });
}

// ─── The roll ────────────────────────────────────────────────────────────────────────────────────

/** A person eligible by role and committee, with their organisation. */
export type EligibleMember = { userId: string; name: string; orgId: string; orgName: string };

/**
 * The roll from the eligible people: one unit per person (individual ballots), or one unit per
 * organisation with at least one eligible person, voted by its representative (null when it has
 * none: the unit is on the roll but nobody can vote for it). Sorted by unit id.
 */
export function buildRoll(input: { voterUnit: "individual" | "organization"; eligible: readonly EligibleMember[]; representatives: Readonly<Record<string, string | null | undefined>> }): RollUnit[] {
  const units = new Map<string, RollUnit>();
  for (const m of input.eligible) {
    if (input.voterUnit === "individual") units.set(m.userId, { unitId: m.userId, voterId: m.userId, label: `${m.name} (${m.orgName})` });
    else if (!units.has(m.orgId)) units.set(m.orgId, { unitId: m.orgId, voterId: input.representatives[m.orgId] ?? null, label: m.orgName });
  }
  return [...units.values()].sort((a, b) => (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0));
}
