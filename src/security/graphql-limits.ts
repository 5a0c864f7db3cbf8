import type { ApolloServerPlugin } from '@apollo/server' with { 'resolution-mode': 'import' };
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  getNamedType,
  type GraphQLCompositeType,
  GraphQLError,
  type GraphQLField,
  type GraphQLSchema,
  isCompositeType,
  isObjectType,
  isInterfaceType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
  type ValueNode,
} from 'graphql';
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

/**
 * Measures one operation of a document. Fragments are followed where they are spread; a fragment that
 * spreads itself (refused by graphql-js's own rules) is not followed twice.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables?: Record<string, unknown>,
): OperationMeasure {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const variableDefaults = new Map<string, ValueNode>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) variableDefaults.set(definition.variable.name.value, definition.defaultValue);
  }
  const limitOf = (field: GraphQLField<unknown, unknown>, node: ValueNode | undefined): number => {
    const argument = field.args.find((candidate) => candidate.name === 'limit');
    if (!argument) return 1;
    let value: unknown = argument.defaultValue;
    if (node?.kind === Kind.INT) value = Number(node.value);
    if (node?.kind === Kind.VARIABLE) {
      const name = node.name.value;
      const fromDefault = variableDefaults.get(name);
      value =
        variables?.[name] ?? (fromDefault?.kind === Kind.INT ? Number(fromDefault.value) : undefined) ?? MAX_PAGE_LIMIT;
    }
    return typeof value === 'number' && Number.isFinite(value)
      ? Math.max(1, Math.min(value, MAX_PAGE_LIMIT))
      : MAX_PAGE_LIMIT;
  };

  let aliases = 0;
  const visiting = new Set<string>();
  const walk = (
    selectionSet: SelectionSetNode,
    parent: GraphQLCompositeType | undefined,
  ): { depth: number; cost: number } => {
    let depth = 0;
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) aliases++;
        const name = selection.name.value;
        // Introspection is switched on or off as a whole; its own nesting is not the API's.
        if (name.startsWith('__')) {
          depth = Math.max(depth, 1);
          cost += 1;
          continue;
        }
        const field =
          parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;
        let below = { depth: 0, cost: 0 };
        if (selection.selectionSet) {
          const type = field ? getNamedType(field.type) : undefined;
          below = walk(selection.selectionSet, type && isCompositeType(type) ? type : undefined);
        }
        const limitArgument = selection.arguments?.find((argument) => argument.name.value === 'limit')?.value;
        depth = Math.max(depth, 1 + below.depth);
        cost += 1 + (field ? limitOf(field, limitArgument) : 1) * below.cost;
      } else {
        let inner: SelectionSetNode | undefined;
        let type = parent;
        if (selection.kind === Kind.INLINE_FRAGMENT) {
          inner = selection.selectionSet;
          if (selection.typeCondition) type = schemaType(schema, selection.typeCondition.name.value) ?? parent;
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (!fragment || visiting.has(name)) continue;
          inner = fragment.selectionSet;
          type = schemaType(schema, fragment.typeCondition.name.value) ?? parent;
          visiting.add(name);
        }
        const measured = walk(inner, type);
        if (selection.kind === Kind.FRAGMENT_SPREAD) visiting.delete(selection.name.value);
        depth = Math.max(depth, measured.depth);
        cost += measured.cost;
      }
    }
    return { depth, cost };
  };
  const root = schema.getRootType(operation.operation) ?? undefined;
  const { depth, cost } = walk(operation.selectionSet, root);
  return { depth, aliases, cost };
}

function schemaType(schema: GraphQLSchema, name: string): GraphQLCompositeType | undefined {
  const type = schema.getType(name);
  return type && isCompositeType(type) ? type : undefined;
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
