/**
 * The webhook SSRF guard on its own: which addresses count as private, what registration refuses
 * without DNS, and the delivery-time resolve-and-check with an injected resolver (no network).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import {
  DestinationRefused,
  isPrivateAddress,
  pinnedLookup,
  postTo,
  registrationRefusal,
  resolvePublicAddress,
  type Lookup,
} from "../../app/domain/webhook-address.server";

describe("isPrivateAddress", () => {
  const privateOnes = [
    "127.0.0.1",
    "127.255.255.254",
    "10.0.0.5",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "100.127.255.255",
    "0.0.0.0",
    "224.0.0.251",
    "255.255.255.255",
    "::1",
    "::",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "fe80::1%eth0",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "0:0:0:0:0:ffff:a00:5",
    "::FFFF:169.254.169.254",
    "::127.0.0.1",
    "not an address",
  ];
  for (const a of privateOnes) it(`counts ${a} as private`, () => expect(isPrivateAddress(a)).toBe(true));

  const publicOnes = ["8.8.8.8", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1", "93.184.216.34", "2606:4700::1111", "::ffff:8.8.8.8"];
  for (const a of publicOnes) it(`counts ${a} as public`, () => expect(isPrivateAddress(a)).toBe(false));
});

describe("registrationRefusal", () => {
  it("refuses literal private addresses and localhost, in any spelling the URL parser accepts", () => {
    for (const url of ["http://127.0.0.1:3000/", "http://localhost/", "http://localhost.:80/", "http://x.localhost/", "http://[::1]/", "http://0x7f.1/", "http://017700000001/", "http://10.0.0.5/", "http://169.254.169.254/"])
      expect(registrationRefusal(url), url).toContain("points at a private or loopback address; webhooks must reach a public address");
  });
  it("lets public addresses and host names through (names are checked at delivery)", () => {
    for (const url of ["https://hooks.example.org/ewtp", "http://8.8.8.8/", "https://[2606:4700::1111]/", "https://internal.example.com/"]) expect(registrationRefusal(url), url).toBeNull();
  });
});

describe("resolvePublicAddress", () => {
  const lookupTo =
    (...addresses: string[]): Lookup =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

  it("returns the checked public address to connect to", async () => {
    expect(await resolvePublicAddress(new URL("https://hooks.example.org/x"), lookupTo("93.184.216.34", "2606:2800::1"))).toEqual({ address: "93.184.216.34", family: 4 });
  });

  it("refuses a name if ANY of its addresses is private, naming the address", async () => {
    const p = resolvePublicAddress(new URL("https://rebind.example.org/x"), lookupTo("93.184.216.34", "10.1.2.3"));
    await expect(p).rejects.toBeInstanceOf(DestinationRefused);
    await expect(p).rejects.toThrow("rebind.example.org resolves to 10.1.2.3, which is a private or loopback address; webhooks must reach a public address");
  });

  it("refuses a name resolving to an IPv4-mapped loopback address", async () => {
    await expect(resolvePublicAddress(new URL("https://mapped.example.org/"), lookupTo("::ffff:127.0.0.1"))).rejects.toBeInstanceOf(DestinationRefused);
  });

  it("does not consult DNS for a literal address", async () => {
    const never: Lookup = async () => {
      throw new Error("looked up");
    };
    expect(await resolvePublicAddress(new URL("http://[2606:4700::1111]:8443/"), never)).toEqual({ address: "2606:4700::1111", family: 6 });
    await expect(resolvePublicAddress(new URL("http://192.168.0.1/"), never)).rejects.toThrow("192.168.0.1 is a private or loopback address");
  });

  it("passes resolver failures through (they are retried, not refused)", async () => {
    const failing: Lookup = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND nowhere.example"), { code: "ENOTFOUND" });
    };
    const err = await resolvePublicAddress(new URL("https://nowhere.example/"), failing).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(DestinationRefused);
    expect((err as { code?: string }).code).toBe("ENOTFOUND");
  });
});

describe("pinnedLookup", () => {
  it("answers every lookup with the checked address, whatever DNS would say now", () => {
    const lookup = pinnedLookup({ address: "93.184.216.34", family: 4 }) as unknown as (h: string, o: { all?: boolean }, cb: (...a: unknown[]) => void) => void;
    const single: unknown[] = [];
    lookup("rebind.example.org", {}, (...a) => single.push(...a));
    expect(single).toEqual([null, "93.184.216.34", 4]);
    const all: unknown[] = [];
    lookup("rebind.example.org", { all: true }, (...a) => all.push(...a));
    expect(all).toEqual([null, [{ address: "93.184.216.34", family: 4 }]]);
  });
});

describe("postTo with a pinned address", () => {
  it("connects to the checked address without resolving the name again, keeping the name as Host", async () => {
    const seen: { host?: string; body: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        seen.push({ host: req.headers.host, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as AddressInfo).port;
      // ".invalid" never resolves: the request can only arrive through the pinned address.
      const res = await postTo(new URL(`http://hooks.invalid:${port}/x`), { "Content-Type": "application/json" }, '{"a":1}', {
        pinned: { address: "127.0.0.1", family: 4 },
        signal: AbortSignal.timeout(5000),
      });
      expect(res.status).toBe(204);
      expect(seen).toEqual([{ host: `hooks.invalid:${port}`, body: '{"a":1}' }]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
