/**
 * The persistence extension holds back acknowledgements (Hocuspocus's SyncStatus, type 8) until the
 * edit is on disk, recognising them among everything sent by reading the bytes directly. It must
 * agree with a full decode for every document name length (one- and multi-byte lengths) and never
 * mistake a broken or foreign message for an acknowledgement.
 */
import * as encoding from "lib0/encoding";
import { describe, expect, it } from "vitest";
import { isAcknowledgement } from "../../app/collab/extensions/persistence";

function message(name: string, type: number, payload: number[] = [1]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, name);
  encoding.writeVarUint(encoder, type);
  for (const b of payload) encoding.writeUint8(encoder, b);
  return encoding.toUint8Array(encoder);
}

describe("recognising an acknowledgement", () => {
  const names = ["", "standard.EWTP-TAR-001", "p".repeat(127), "p".repeat(128), "é".repeat(200), `proposal.${"x".repeat(20_000)}`];
  for (const name of names) {
    it(`finds type 8 after a ${Buffer.byteLength(name)}-byte name, and nothing else`, () => {
      expect(isAcknowledgement(message(name, 8))).toBe(true);
      for (const type of [0, 1, 2, 3, 4, 7, 9, 136]) expect(isAcknowledgement(message(name, type, [8]))).toBe(false);
    });
  }

  it("is false for a truncated message, an overlong length, and what is not bytes", () => {
    const full = message("standard.EWTP-TAR-001", 8);
    expect(isAcknowledgement(full.subarray(0, full.length - 2))).toBe(false);
    expect(isAcknowledgement(new Uint8Array([]))).toBe(false);
    expect(isAcknowledgement(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 8]))).toBe(false);
    expect(isAcknowledgement("standard.EWTP-TAR-001")).toBe(false);
    expect(isAcknowledgement(null)).toBe(false);
  });
});
