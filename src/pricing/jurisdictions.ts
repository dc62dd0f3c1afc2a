// Jurisdiction rule packs: which rating factors are banned and whether behaviour may be priced at all.
// The packs below are illustrative defaults for development, not legal advice: compliance owns the real
// ones, which load as data through JurisdictionRulesSchema and replace these.
import type { JurisdictionRules } from './schema.ts';

/**
 * Banned concepts and the words that name them. A factor is banned when the words of its name or label
 * (split on camelCase, '_', '-', spaces) contain one of these phrases, so 'driverGender', 'sex_code' and
 * a label 'Credit-based insurance score' are all caught, while 'sexualOrientation' is its own concept and
 * a territory called 'essex' is not a gender.
 */
export const CONCEPT_ALIASES: Readonly<Record<string, readonly string[]>> = {
  gender: ['gender', 'sex'],
  creditScore: ['credit', 'insurance score'],
  race: ['race', 'racial', 'ethnicity', 'ethnic'],
  religion: ['religion', 'religious', 'faith'],
  nationalOrigin: ['nationality', 'national origin', 'citizenship', 'immigration status'],
  sexualOrientation: ['sexual orientation'],
  disability: ['disability', 'disabled', 'handicap'],
  genetic: ['genetic', 'genetics'],
  maritalStatus: ['marital'],
};

/** Always protected, everywhere: never a rating factor, never a field of a quote input. */
export const PROTECTED_CONCEPTS = [
  'race',
  'religion',
  'nationalOrigin',
  'sexualOrientation',
  'disability',
  'genetic',
];

const pack = (
  code: string,
  name: string,
  ext: string[],
  bannedFactors: string[],
  note: string,
  behaviourAllowed = true,
): JurisdictionRules => ({ code, name, extends: ext, bannedFactors, behaviourAllowed, note });

const EU_MEMBERS: Array<[string, string]> = [
  ['FR', 'France'],
  ['DE', 'Germany'],
  ['ES', 'Spain'],
  ['IT', 'Italy'],
  ['NL', 'Netherlands'],
  ['BE', 'Belgium'],
  ['PT', 'Portugal'],
  ['IE', 'Ireland'],
  ['AT', 'Austria'],
];

export const DEFAULT_RULE_PACKS: readonly JurisdictionRules[] = [
  pack('GLOBAL', 'Everywhere', [], PROTECTED_CONCEPTS, 'Protected attributes are never rating factors.'),
  pack('EU', 'European Union', ['GLOBAL'], ['gender'], 'Test-Achats (C-236/09): unisex premiums since 2012.'),
  ...EU_MEMBERS.map(([code, name]) => pack(code, name, ['EU'], [], 'EU rules apply.')),
  pack('GB', 'United Kingdom', ['GLOBAL'], ['gender'], 'Unisex premiums retained after 2020.'),
  pack('AD', 'Andorra', ['GLOBAL'], [], 'Outside the EU; global rules only.'),
  pack('US', 'United States (base)', ['GLOBAL'], [], 'State packs add their own bans.'),
  pack(
    'US-CA',
    'California',
    ['US'],
    ['gender', 'creditScore'],
    'Prop 103 rating: telematics may verify mileage only; no gender or credit rating.',
    false,
  ),
  pack('US-HI', 'Hawaii', ['US'], ['gender', 'creditScore'], 'No gender or credit rating.'),
  pack('US-MA', 'Massachusetts', ['US'], ['gender', 'creditScore'], 'No gender or credit rating.'),
  pack('US-MI', 'Michigan', ['US'], ['gender', 'maritalStatus', 'creditScore'], '2019 reform bans.'),
  pack('US-NC', 'North Carolina', ['US'], ['gender'], 'No gender rating.'),
  pack('US-PA', 'Pennsylvania', ['US'], ['gender'], 'No gender rating.'),
  pack('US-MT', 'Montana', ['US'], ['gender'], 'Unisex insurance law.'),
  ...['TX', 'NY', 'OH', 'IL', 'FL'].map((s) =>
    pack(`US-${s}`, `US state ${s}`, ['US'], [], 'US base rules.'),
  ),
];

export interface ResolvedRules {
  code: string;
  /** Banned concepts, own and inherited. */
  banned: readonly string[];
  behaviourAllowed: boolean;
}

/** Merges a pack with everything it extends; null when the code (or a parent) has no pack. */
export function resolveRules(
  code: string,
  packs: readonly JurisdictionRules[] = DEFAULT_RULE_PACKS,
): ResolvedRules | null {
  const byCode = new Map(packs.map((p) => [p.code, p]));
  const banned = new Set<string>();
  let behaviourAllowed = true;
  const seen = new Set<string>();
  const visit = (c: string): boolean => {
    if (seen.has(c)) return true; // diamond or cycle: each pack counts once
    seen.add(c);
    const p = byCode.get(c);
    if (p === undefined) return false;
    for (const b of p.bannedFactors) banned.add(b);
    behaviourAllowed &&= p.behaviourAllowed;
    return p.extends.every(visit);
  };
  if (!visit(code)) return null;
  for (const c of PROTECTED_CONCEPTS) banned.add(c); // protected everywhere, whatever a pack says
  return { code, banned: [...banned].sort(), behaviourAllowed };
}

/** Lower-case words of an identifier or label: 'driverGender' → ['driver', 'gender']. */
export function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

function containsPhrase(haystack: readonly string[], phrase: readonly string[]): boolean {
  outer: for (let i = 0; i + phrase.length <= haystack.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (haystack[i + j] !== phrase[j]) continue outer;
    return true;
  }
  return false;
}

/** The banned concept a factor name or label refers to, or null when it names none of them. */
export function bannedConcept(texts: readonly string[], banned: readonly string[]): string | null {
  const tokenised = texts.map(words);
  for (const concept of banned) {
    const aliases = CONCEPT_ALIASES[concept] ?? [concept];
    for (const alias of [concept, ...aliases]) {
      const phrase = words(alias);
      if (tokenised.some((t) => containsPhrase(t, phrase))) return concept;
    }
  }
  return null;
}
