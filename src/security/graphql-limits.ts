import type { ApolloServerPlugin } from '@apollo/server' with { 'resolution-mode': 'import' };
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  type DocumentNode,
  GraphQLError,
  isInputType,
  Kind,
  type OperationDefinitionNode,
  type GraphQLSchema,
  typeFromAST,
  TypeInfo,
  ValidationContext,
  type ValidationRule,
  valueFromAST,
  visit,
} from 'graphql';
import { type ComplexityEstimator, createComplexityRule } from 'graphql-query-complexity';
import { MAX_PAGE_LIMIT } from '../common/paging/paging';

import { QUERY_TOO_LARGE } from '../common/errors/domain-errors';

export { QUERY_TOO_LARGE };

export interface OperationMeasure {
  /** The deepest field nesting (introspection fields count as one level). */
  depth: number;
  /** How many fields carry an alias (each use of a fragment counts again). */
  aliases: number;
  /**
   * An estimate of the work: every field costs 1, and the selection under a list field with a `limit` argument
   * costs `limit` times (its value, else its default; a variable without a value counts as the largest page).
   */
  cost: number;
}

/** The value of a variable that has none (a document checked before its variables): it reads as the largest page. */
const NO_VALUE = Symbol('no value');

function pagesOf(limit: unknown): number {
  return typeof limit === 'number' && Number.isFinite(limit)
    ? Math.max(1, Math.min(limit, MAX_PAGE_LIMIT))
    : MAX_PAGE_LIMIT;
}

const pageCostEstimator: ComplexityEstimator = ({ field, args, childComplexity }) =>
  1 + (field.args.some((argument) => argument.name === 'limit') ? pagesOf(args.limit) : 1) * childComplexity;

/**
 * The variables as the cost sees them: the value given, else the definition's default, else NO_VALUE, which also
 * stands in for required variables (a document checked without its variables lacks them) so that their fields are
 * measured rather than skipped.
 */
function variableValuesOf(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  given: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type);
    const byDefault =
      definition.defaultValue && type && isInputType(type) ? valueFromAST(definition.defaultValue, type) : undefined;
    values[name] = given?.[name] ?? byDefault ?? NO_VALUE;
  }
  return values;
}

/** Introspection fields with selections of their own; `__typename` has none. */
const INTROSPECTION_WITH_SELECTIONS = /__(schema|type)\b/;

/**
 * The operation and the document's fragments, with the selections under introspection fields left out:
 * introspection is switched on or off as a whole, its own nesting is not the API's.
 */
function documentToMeasure(document: DocumentNode, operation: OperationDefinitionNode): DocumentNode {
  const fragments = document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION);
  const measured: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] };
  // Copying the document costs more than measuring it: only when its text names such a field.
  if (document.loc && !INTROSPECTION_WITH_SELECTIONS.test(document.loc.source.body)) return measured;
  return visit(measured, {
    Field: (field) =>
      field.name.value.startsWith('__') && field.selectionSet ? { ...field, selectionSet: undefined } : undefined,
  });
}

/** Measures kept per operation (Apollo keeps one DocumentNode per query text), by the variable values they used. */
const measuresByOperation = new WeakMap<OperationDefinitionNode, Map<string, OperationMeasure>>();

/** How many variable values of one operation keep their measure; past it the operation's measures start afresh. */
const MEASURES_PER_OPERATION = 64;

/**
 * Measures one operation of a document: its depth (GraphQL Armor's max-depth, fragments flattened), its aliases
 * (GraphQL Armor's max-aliases) and its cost (graphql-query-complexity with a page-size estimator). Fragments are
 * followed where they are spread; a fragment that spreads itself (refused by graphql-js's own rules) is not
 * followed twice. The measure of an operation seen before with the same variables is the one kept.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables?: Record<string, unknown>,
): OperationMeasure {
  const variableValues = variableValuesOf(schema, operation, variables);
  const key = JSON.stringify(variableValues, (_name, value: unknown) => (value === NO_VALUE ? '\u0000none' : value));
  let measures = measuresByOperation.get(operation);
  const known = measures?.get(key);
  if (known) return known;
  const measure = measureAnew(schema, document, operation, variableValues);
  if (!measures || measures.size >= MEASURES_PER_OPERATION) {
    measures = new Map();
    measuresByOperation.set(operation, measures);
  }
  measures.set(key, measure);
  return measure;
}

function measureAnew(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variableValues: Record<string, unknown>,
): OperationMeasure {
  const measured = documentToMeasure(document, operation);
  const measuredOperation = measured.definitions[0] as OperationDefinitionNode;
  // graphql-js's own rules report what is wrong with a document; the measures' complaints are not needed.
  const context = new ValidationContext(schema, measured, new TypeInfo(schema), () => undefined);
  const measure: OperationMeasure = { depth: 0, aliases: 0, cost: 0 };
  // With no limit of their own, the Armor rules only count, and hand the count to onAccept.
  const depthCount = maxDepthRule({
    n: Number.POSITIVE_INFINITY,
    flattenFragments: true,
    ignoreIntrospection: false,
    onAccept: [(_context, details: { n: number }) => (measure.depth = details.n)],
  });
  const aliasCount = maxAliasesRule({
    n: Number.POSITIVE_INFINITY,
    allowList: [],
    onAccept: [(_context, details: { n: number }) => (measure.aliases = details.n)],
  });
  depthCount(context).onOperationDefinitionEnter(measuredOperation);
  aliasCount(context).onOperationDefinitionEnter(measuredOperation);
  const cost = createComplexityRule({
    maximumComplexity: Number.POSITIVE_INFINITY,
    estimators: [pageCostEstimator],
    // Apollo's maxRecursiveSelections bounds how far a document's fragments expand; the cost limit does the rest.
    maxQueryNodes: Number.POSITIVE_INFINITY,
  })(context);
  // Set here rather than passed as `variables`: the library coerces those and gives up on a required variable
  // without a value, which is every variable of a document checked before its variables.
  cost.variableValues = variableValues;
  try {
    measure.cost = cost.nodeComplexity(measuredOperation, schema.getRootType(operation.operation) ?? undefined);
  } catch (error) {
    // A directive without its argument, with a literal of the wrong type or an undefined variable: graphql-js's
    // own rules refuse such a document, whose cost does not matter then.
    if (!(error instanceof GraphQLError)) throw error;
  }
  return measure;
}

export interface GraphqlDocumentLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
}

function tooLarge(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: QUERY_TOO_LARGE, http: { status: 400 } } });
}

/** The first limit an operation exceeds, as the error to answer; none when it is within all of them. */
export function checkOperation(measure: OperationMeasure, limits: GraphqlDocumentLimits): GraphQLError | undefined {
  if (measure.depth > limits.maxDepth) {
    return tooLarge(`the operation is nested ${measure.depth} levels deep; at most ${limits.maxDepth} are allowed`);
  }
  if (measure.aliases > limits.maxAliases) {
    return tooLarge(`the operation uses ${measure.aliases} aliases; at most ${limits.maxAliases} are allowed`);
  }
  if (measure.cost > limits.maxCost) {
    return tooLarge(
      `the operation would cost about ${measure.cost} (fields times page limits); at most ${limits.maxCost} is allowed: ` +
        'ask for smaller pages or fewer nested lists',
    );
  }
  return undefined;
}

/**
 * A validation rule for documents that arrive without their variables (subscriptions over WebSocket):
 * a `limit` given by a variable counts as the largest page.
 */
export function graphqlLimitsRule(limits: GraphqlDocumentLimits): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const error = checkOperation(measureOperation(context.getSchema(), context.getDocument(), operation), limits);
      if (error) context.reportError(error);
    },
  });
}

/** Checks every HTTP operation, with its variables, before it runs; refuses it with 400 QUERY_TOO_LARGE. */
export function graphqlLimitsPlugin(limits: GraphqlDocumentLimits): ApolloServerPlugin {
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation: ({ schema, document, operation, request }) => {
          if (!operation) return Promise.resolve();
          const error = checkOperation(measureOperation(schema, document, operation, request.variables), limits);
          return error ? Promise.reject(error) : Promise.resolve();
        },
      }),
  };
}
