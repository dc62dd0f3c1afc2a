// Rating plans and jurisdiction rule packs are data: these TypeBox schemas are what files and the API
// are checked against (they are also plain JSON Schema). Percentages are integer basis points, money is
// integer cents, per-distance rates are integer millicents (1/1000 cent) so 3.2¢ a mile stays exact.
import { type Static, Type } from '@sinclair/typebox';
import { BEHAVIOUR_KEYS } from './behaviour.ts';

const Bp = (description: string, maximum = 10_000) => Type.Integer({ minimum: 0, maximum, description });
const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD, UTC' });

export const BehaviourProfileSchema = Type.Object(
  Object.fromEntries(BEHAVIOUR_KEYS.map((k) => [k, Type.Number({ minimum: 0 })])) as {
    [K in (typeof BEHAVIOUR_KEYS)[number]]: ReturnType<typeof Type.Number>;
  },
  { additionalProperties: false },
);

export const FactorLevelSchema = Type.Object(
  {
    code: Type.String({ minLength: 1 }),
    label: Type.Optional(Type.String()),
    relativity: Type.Number({ exclusiveMinimum: 0, description: 'exp(GLM coefficient) of this level' }),
  },
  { additionalProperties: false },
);

export const ClassicFactorSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]*$' }),
    label: Type.String({ minLength: 1 }),
    levels: Type.Array(FactorLevelSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export const DistanceRateSchema = Type.Object(
  {
    ratePerUnitMillicents: Type.Integer({ minimum: 0, description: 'per km or per mile (the plan unit)' }),
    dailyCapUnits: Type.Integer({ minimum: 1, description: 'billable distance per day, plan unit' }),
  },
  { additionalProperties: false },
);

export const TelematicsSchema = Type.Object(
  {
    maxDiscountBp: Bp('largest behaviour discount, e.g. 3000 = -30%', 9_999),
    maxSurchargeBp: Type.Integer({
      minimum: 0,
      description: 'largest behaviour surcharge, e.g. 2000 = +20%',
    }),
    credibilityKm: Type.Number({ exclusiveMinimum: 0, description: 'Bühlmann–Straub k, in km of driving' }),
    windowDays: Type.Integer({ minimum: 1 }),
    halfLifeDays: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()]),
    typicalBehaviour: BehaviourProfileSchema,
  },
  { additionalProperties: false },
);

export const SafetyScoreSchema = Type.Object(
  {
    minDistanceKm: Type.Number({ minimum: 0 }),
    scoreAtPortfolioMean: Type.Integer({ minimum: 1, maximum: 99 }),
    portfolioMeanRelativity: Type.Number({ exclusiveMinimum: 0 }),
  },
  { additionalProperties: false },
);

export const RatingPlanSchema = Type.Object(
  {
    schemaVersion: Type.Literal(1),
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
    version: Type.Integer({ minimum: 1 }),
    name: Type.String(),
    jurisdiction: Type.String({
      pattern: '^[A-Z]{2}(-[A-Z0-9]{1,3})?$',
      description: 'ISO 3166 country or subdivision',
    }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    distanceUnit: Type.Union([Type.Literal('km'), Type.Literal('mile')]),
    effectiveFrom: IsoDate,
    effectiveTo: Type.Optional(IsoDate),
    baseMonthlyCents: Type.Integer({ minimum: 0 }),
    classicFactors: Type.Array(ClassicFactorSchema),
    distance: Type.Optional(DistanceRateSchema),
    telematics: Type.Optional(TelematicsSchema),
    enrollmentDiscountBp: Bp('discount for enrolling in telematics', 9_999),
    renewalCap: Type.Object(
      { maxIncreaseBp: Type.Integer({ minimum: 0 }), maxDecreaseBp: Bp('largest decrease per term', 9_999) },
      { additionalProperties: false },
    ),
    safetyScore: SafetyScoreSchema,
  },
  { additionalProperties: false },
);

export type RatingPlan = Static<typeof RatingPlanSchema>;
export type ClassicFactor = Static<typeof ClassicFactorSchema>;
export type TelematicsConfig = Static<typeof TelematicsSchema>;
export type DistanceRate = Static<typeof DistanceRateSchema>;

export const JurisdictionRulesSchema = Type.Object(
  {
    code: Type.String({ pattern: '^[A-Z]{2,6}(-[A-Z0-9]{1,3})?$' }),
    name: Type.String(),
    extends: Type.Array(Type.String()),
    bannedFactors: Type.Array(Type.String({ minLength: 2 }), { description: 'names, matched loosely' }),
    behaviourAllowed: Type.Boolean({ description: 'false = mileage only: behaviour may not be priced' }),
    note: Type.String(),
  },
  { additionalProperties: false },
);

export type JurisdictionRules = Static<typeof JurisdictionRulesSchema>;
