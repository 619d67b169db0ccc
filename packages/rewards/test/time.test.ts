import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDuration, parseTime } from "../src/time.js";

describe("parseTime", () => {
  it("reads every ISO 8601 / Braze form, zone-less as UTC", () => {
    const noon = Date.UTC(2024, 4, 1, 13, 0, 0);
    expect(parseTime("2024-05-01T13:00:00Z")).toBe(noon);
    expect(parseTime("2024-05-01T14:00:00+01:00")).toBe(noon);
    expect(parseTime("2024-05-01T08:00:00-5:00")).toBe(noon);
    expect(parseTime("2024-05-01T08:00:00-05:00")).toBe(noon);
    expect(parseTime("2024-05-01T18:30:00+0530")).toBe(noon);
    expect(parseTime("2024-05-01T15:00:00+02")).toBe(noon);
    expect(parseTime("2024-05-01T13:00:00")).toBe(noon);
    expect(parseTime("2024-05-01 13:00:00")).toBe(noon);
    expect(parseTime("2024-05-01T13:00")).toBe(noon);
    expect(parseTime("20240501T130000Z")).toBe(noon);
    expect(parseTime("2024-05-01T13:00:00.250Z")).toBe(noon + 250);
    expect(parseTime("2024-05-01T13:00:00,5Z")).toBe(noon + 500);
    expect(parseTime("2024-05-01T13:00:00:123Z")).toBe(noon + 123);
    expect(parseTime("2024-05-01")).toBe(Date.UTC(2024, 4, 1));
    expect(parseTime("05/01/2024")).toBe(Date.UTC(2024, 4, 1));
    expect(parseTime("2024-05-01T24:00:00Z")).toBe(Date.UTC(2024, 4, 2));
    expect(parseTime(noon)).toBe(noon);
    expect(parseTime(new Date(noon))).toBe(noon);
  });

  it("rejects impossible dates and garbage with NaN", () => {
    for (const bad of [
      "2024-02-30",
      "2023-02-29",
      "2024-13-01",
      "2024-05-01T25:00Z",
      "2024-05-01T13:60Z",
      "yesterday",
      "",
      "2024-05-01T13:00:00+25:00",
      "2024-05-01T24:30:00Z",
    ])
      expect(parseTime(bad), bad).toBeNaN();
    expect(parseTime(null)).toBeNaN();
    expect(parseTime(Number.POSITIVE_INFINITY)).toBeNaN();
    expect(parseTime("2024-02-29")).toBe(Date.UTC(2024, 1, 29));
  });

  it("agrees with Date for any UTC instant written as ISO with any offset", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        (t, offset) => {
          const local = new Date(t + offset * 60_000).toISOString().slice(0, 23);
          const sign = offset < 0 ? "-" : "+";
          const abs = Math.abs(offset);
          const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
          expect(parseTime(local + zone)).toBe(t);
        },
      ),
    );
  });

  it("never throws on arbitrary input", () => {
    fc.assert(
      fc.property(fc.anything(), (x) => {
        expect(typeof parseTime(x)).toBe("number");
      }),
    );
  });
});

describe("parseDuration", () => {
  it("reads short and ISO durations", () => {
    expect(parseDuration("7d")).toBe(7 * 86_400_000);
    expect(parseDuration("36h")).toBe(36 * 3_600_000);
    expect(parseDuration("P7D")).toBe(7 * 86_400_000);
    expect(parseDuration("PT1H30M")).toBe(90 * 60_000);
    expect(parseDuration("P1W")).toBe(7 * 86_400_000);
    expect(parseDuration("7 days")).toBeNaN();
    expect(parseDuration("P")).toBeNaN();
    expect(parseDuration(-5)).toBeNaN();
  });
});
