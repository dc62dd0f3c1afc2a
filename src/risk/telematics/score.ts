// Scoring with a telematics frequency model: the classic frequency (behaviour at the portfolio's neutral
// reference), the frequency with a driver's behaviour, and the model as a function of behaviour alone with the
// driver's classic factors fixed (what pricing's what-if and monotonicity sweeps call many times).
import { BEHAVIOUR_KEYS } from '../../pricing/behaviour.ts';
import { type ModelArtifact, predict } from '../artifact.ts';
import type { RawRow } from '../data/frame.ts';
import { clampTransform } from '../glm/terms.ts';
import { type Behaviour, CLASSIC_KEYS, type ClassicFactors } from './features.ts';

export interface TelematicsScorer {
  reference: Behaviour;
  classicDefaults: ClassicFactors;
  /** Claims per exposure-year for classic factors and a behaviour profile. */
  frequency(classic: ClassicFactors, behaviour: Readonly<Behaviour>): number;
  /** Behaviour at the neutral reference. */
  classicFrequency(classic: ClassicFactors): number;
  /** b ↦ frequency(classic, b): pure, does not keep b. */
  behaviourFunction(classic: ClassicFactors): (b: Readonly<Behaviour>) => number;
}

/** Reads the telematics section; names what is missing when the artifact is not a telematics model. */
export function telematicsScorer(a: ModelArtifact): TelematicsScorer {
  const t = a.telematics;
  if (!t) throw new Error(`model '${a.name}' is not a telematics model (no telematics section)`);
  const allowed = new Set<string>([...CLASSIC_KEYS, ...BEHAVIOUR_KEYS]);
  const foreign = a.inputs.filter((c) => !allowed.has(c));
  if (foreign.length > 0)
    throw new Error(`model '${a.name}' reads inputs a driver does not have: ${foreign}`);
  const reference = {} as Behaviour;
  for (const k of BEHAVIOUR_KEYS) reference[k] = t.behaviourReference[k] ?? 0;
  const d = t.classicDefaults;
  const classicDefaults: ClassicFactors = {
    driverAge: Number(d.driverAge ?? 40),
    vehiclePowerKw: Number(d.vehiclePowerKw ?? 80),
    vehicleAgeYears: Number(d.vehicleAgeYears ?? 6),
    territory: String(d.territory ?? 'C'),
    annualKm: Number(d.annualKm ?? 12_000),
  };
  const frequency = (c: ClassicFactors, b: Readonly<Behaviour>): number =>
    predict(a, [{ ...c, ...b } as unknown as RawRow])[0]!;
  return {
    reference,
    classicDefaults,
    frequency,
    classicFrequency: (c) => frequency(c, reference),
    behaviourFunction(c) {
      const base = frequency(c, reference);
      if (a.kind !== 'glm') return (b) => frequency(c, b);
      // A GLM is log-linear in its behaviour terms: f(b) = f(ref) · exp(Σ β_k (T_k(b_k) − T_k(ref_k))).
      const coef = new Map(a.glm.coefficients.map((x) => [x.name, x.estimate]));
      const terms = a.glm.terms.flatMap((term) =>
        term.kind === 'numeric' && (BEHAVIOUR_KEYS as readonly string[]).includes(term.column)
          ? [{ key: term.column as keyof Behaviour, term, beta: coef.get(term.columns[0]!) ?? 0 }]
          : [],
      );
      return (b) => {
        let eta = 0;
        for (const { key, term, beta } of terms)
          eta += beta * (clampTransform(b[key], term) - clampTransform(reference[key], term));
        return base * Math.exp(eta);
      };
    },
  };
}
