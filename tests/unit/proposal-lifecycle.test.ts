/** The proposal lifecycle (app/domain/proposal-lifecycle.ts): every step from every state, against an explicit table. */
import { describe, expect, it } from "vitest";
import { PROPOSAL_STATES } from "../../db/schema";
import { checkProposalStep, isEditable, nextProposalSteps, notEditableMessage, type ProposalStep } from "~/domain/proposal-lifecycle";

// The state each step leads to from each state; "." = refused.
//                    draft        submitted    in-ballot    approved     rejected     applied  withdrawn
const TABLE: Record<ProposalStep, string> = {
  submit:            "submitted    .            .            .            .            .        .",
  apply:             ".            .            .            applied      .            .        .",
  withdraw:          "withdrawn    withdrawn    .            withdrawn    withdrawn    .        .",
  ballot:            ".            in-ballot    approved     .            .            .        .",
  cancelBallot:      ".            .            submitted    .            .            .        .",
};

describe("proposal steps", () => {
  for (const [step, row] of Object.entries(TABLE) as [ProposalStep, string][]) {
    const cells = row.trim().split(/\s+/);
    it.each(PROPOSAL_STATES.map((s, i) => [s, cells[i]]))(`${step} from %s → %s`, (from, to) => {
      const check = checkProposalStep(from, step);
      if (to === ".") expect(check.ok).toBe(false);
      else expect(check).toEqual({ ok: true, to });
    });
  }

  it("a ballot decides in both directions, and only from in-ballot", () => {
    expect(checkProposalStep("in-ballot", "ballot", "rejected")).toEqual({ ok: true, to: "rejected" });
    expect(checkProposalStep("submitted", "ballot", "approved").ok).toBe(false);
  });

  it("a cancelled ballot returns its proposal to submitted, so that a new ballot can open on it", () => {
    expect(checkProposalStep("in-ballot", "cancelBallot")).toEqual({ ok: true, to: "submitted" });
    expect(checkProposalStep("submitted", "ballot")).toEqual({ ok: true, to: "in-ballot" });
    const r = checkProposalStep("approved", "cancelBallot");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/^The proposal is approved\. Only a proposal under ballot goes back to submitted/);
  });

  it("a refusal says the state, what the step needs, and what to do", () => {
    const r = checkProposalStep("submitted", "apply");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe("The proposal is submitted. Only a proposal approved by ballot can be applied. It is submitted and waits for its ballot.");
    const w = checkProposalStep("in-ballot", "withdraw");
    if (!w.ok) expect(w.message).toMatch(/close or cancel the ballot/);
  });

  it("only a draft's text is editable, and the refusal explains why", () => {
    expect(PROPOSAL_STATES.filter(isEditable)).toEqual(["draft"]);
    expect(notEditableMessage("approved")).toMatch(/frozen when it was submitted/);
  });

  it("the steps open to a person: none from the final states", () => {
    expect(nextProposalSteps("draft").sort()).toEqual(["submit", "withdraw"]);
    expect(nextProposalSteps("approved").sort()).toEqual(["apply", "withdraw"]);
    expect(nextProposalSteps("in-ballot")).toEqual([]);
    expect(nextProposalSteps("applied")).toEqual([]);
    expect(nextProposalSteps("withdrawn")).toEqual([]);
  });
});
