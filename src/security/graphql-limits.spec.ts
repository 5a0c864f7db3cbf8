import { buildSchema, Kind, parse, validate, specifiedRules, type OperationDefinitionNode } from 'graphql';
import { checkOperation, graphqlLimitsRule, measureOperation, QUERY_TOO_LARGE } from './graphql-limits';

const schema = buildSchema(`
  type Query { schools(limit: Int = 20): SchoolPage!, school(id: ID!): School }
  type SchoolPage { total: Int!, items: [School!]! }
  type School { id: ID!, name: String!, teachers(limit: Int = 20): TeacherPage!, headmaster: Headmaster }
  type TeacherPage { total: Int!, items: [Teacher!]! }
  type Teacher { id: ID!, school: School }
  type Headmaster { id: ID!, school: School }
  type Subscription { schoolChanged(id: ID!): School! }
`);

function measure(query: string, variables?: Record<string, unknown>) {
  const document = parse(query);
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
  return measureOperation(schema, document, operation, variables);
}

describe(measureOperation.name, () => {
  it('counts depth, aliases and a cost multiplied by page limits', () => {
    expect(measure('{ school(id: "1") { name } }')).toEqual({ depth: 2, aliases: 0, cost: 2 });
    // schools (1) + 5 × (total? no: items (1) + 5 × (id + name))
    expect(measure('{ schools(limit: 5) { items { id name } } }').cost).toBe(1 + 5 * (1 + 2));
    expect(measure('{ a: school(id: "1") { id } b: school(id: "2") { id } }').aliases).toBe(2);
  });

  it('uses the argument default when no limit is given, and the variable value when one is', () => {
    expect(measure('{ schools { items { id } } }').cost).toBe(1 + 20 * 2);
    expect(measure('query ($n: Int) { schools(limit: $n) { items { id } } }', { n: 3 }).cost).toBe(1 + 3 * 2);
  });

  it('counts a variable without a value as the largest page (documents checked before their variables)', () => {
    expect(measure('query ($n: Int) { schools(limit: $n) { items { id } } }').cost).toBe(1 + 100 * 2);
    expect(measure('query ($n: Int = 4) { schools(limit: $n) { items { id } } }').cost).toBe(1 + 4 * 2);
  });

  it('measures the fields under a required variable that has no value yet', () => {
    const subscription = 'subscription ($id: ID!) { schoolChanged(id: $id) { teachers(limit: 10) { items { id } } } }';
    expect(measure(subscription)).toEqual({ depth: 4, aliases: 0, cost: 1 + 1 + 10 * 2 });
  });

  it('does not count the fields an operation leaves out with @skip or @include', () => {
    const query = 'query ($skip: Boolean!) { schools(limit: 5) { items { id name @skip(if: $skip) } } }';
    expect(measure(query, { skip: true }).cost).toBe(1 + 5 * 2);
    expect(measure(query, { skip: false }).cost).toBe(1 + 5 * 3);
  });

  it('multiplies nested lists', () => {
    const nested = '{ schools(limit: 10) { items { teachers(limit: 10) { items { id } } } } }';
    expect(measure(nested).cost).toBe(1 + 10 * (1 + 1 + 10 * (1 + 1)));
  });

  it('follows fragments, also self-spreading ones, without looping', () => {
    expect(measure('{ school(id: "1") { ...F } } fragment F on School { headmaster { school { name } } }').depth).toBe(
      4,
    );
    expect(() => measure('{ school(id: "1") { ...F } } fragment F on School { name ...F }')).not.toThrow();
  });

  it('counts the aliases of a fragment at each of its uses', () => {
    const twice = '{ a: school(id: "1") { ...F } b: school(id: "2") { ...F } } fragment F on School { x: id y: name }';
    expect(measure(twice).aliases).toBe(2 + 2 * 2);
  });

  it('keeps the measure of an operation seen before with the same variables, and measures other variables anew', () => {
    const document = parse('query ($n: Int) { schools(limit: $n) { items { id } } }');
    const operation = document.definitions[0] as OperationDefinitionNode;
    const sut = (variables: Record<string, unknown>) => measureOperation(schema, document, operation, variables);
    const first = sut({ n: 3 });
    expect(sut({ n: 3 })).toBe(first);
    expect(sut({ n: 4 }).cost).toBe(1 + 4 * 2);
    expect(sut({ n: 3, unused: 'x' })).toBe(first);
  });

  it('does not count the nesting of introspection', () => {
    expect(measure('{ __schema { types { fields { type { ofType { ofType { name } } } } } } }')).toEqual({
      depth: 1,
      aliases: 0,
      cost: 1,
    });
    expect(measure('{ __type(name: "School") { fields { type { ofType { ofType { name } } } } } }').depth).toBe(1);
  });
});

describe(checkOperation.name, () => {
  const limits = { maxDepth: 4, maxAliases: 2, maxCost: 100 };

  it.each([
    ['deep', { depth: 5, aliases: 0, cost: 1 }, /nested 5 levels deep; at most 4/],
    ['aliased', { depth: 1, aliases: 3, cost: 1 }, /uses 3 aliases; at most 2/],
    ['costly', { depth: 1, aliases: 0, cost: 101 }, /cost about 101.*at most 100/],
  ])('refuses a %s operation with QUERY_TOO_LARGE and a 400', (_kind, measured, message) => {
    const error = checkOperation(measured, limits);
    expect(error?.message).toMatch(message);
    expect(error?.extensions).toEqual({ code: QUERY_TOO_LARGE, http: { status: 400 } });
  });

  it('accepts an operation within every limit', () => {
    expect(checkOperation({ depth: 4, aliases: 2, cost: 100 }, limits)).toBeUndefined();
  });

  it('is a validation rule too (for subscriptions, which arrive without their variables)', () => {
    const deep = parse('{ school(id: "1") { headmaster { school { headmaster { school { name } } } } } }');
    const errors = validate(schema, deep, [...specifiedRules, graphqlLimitsRule(limits)]);
    expect(errors.map((error) => error.extensions.code)).toEqual([QUERY_TOO_LARGE]);
  });

  it('accepts, as a validation rule, a subscription whose required variables arrive later', () => {
    const subscription = parse('subscription ($id: ID!) { schoolChanged(id: $id) { name } }');
    expect(validate(schema, subscription, [...specifiedRules, graphqlLimitsRule(limits)])).toEqual([]);
  });
});
