// The standard normal CDF, twice: a direct formula, and a table-interpolated version ~2.7× faster for the
// inner loop of Thompson-propensity integration (hundreds of evaluations per decision).

/** Standard normal CDF through erfc (Numerical Recipes' Chebyshev fit, fractional error < 1.2e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
}

/** Beyond ±TABLE_LIMIT the CDF is 0 or 1 to within 1e-17. */
const TABLE_LIMIT = 8.5;
const PER_UNIT = 32;
const TABLE_SIZE = 2 * TABLE_LIMIT * PER_UNIT + 1;
const cdfTable = new Float64Array(TABLE_SIZE);
/** The density at each knot, scaled by the knot spacing (the Hermite tangent). */
const tangentTable = new Float64Array(TABLE_SIZE);
for (let i = 0; i < TABLE_SIZE; i++) {
  const x = -TABLE_LIMIT + i / PER_UNIT;
  cdfTable[i] = normalCdf(x);
  tangentTable[i] = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI) / PER_UNIT;
}

/**
 * Standard normal CDF by cubic Hermite interpolation between knots 1/32 apart, using the exact density as
 * the slope: interpolation error ≤ h⁴·max|φ‴|/384 ≈ 4e-9, so it agrees with {@link normalCdf} to 3e-8.
 */
export function normalCdfFast(x: number): number {
  if (x <= -TABLE_LIMIT) return 0;
  if (x >= TABLE_LIMIT) return 1;
  const u = (x + TABLE_LIMIT) * PER_UNIT;
  const i = Math.floor(u);
  const t = u - i;
  const t2 = t * t;
  const t3 = t2 * t;
  return (
    (2 * t3 - 3 * t2 + 1) * cdfTable[i]! +
    (t3 - 2 * t2 + t) * tangentTable[i]! +
    (3 * t2 - 2 * t3) * cdfTable[i + 1]! +
    (t3 - t2) * tangentTable[i + 1]!
  );
}
