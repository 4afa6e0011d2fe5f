/**
 * @module domain/workflow-definitions
 * User-defined workflows (seed 004), the pure half: the definition schema and its full
 * validation, templates, JSON Logic conditions and the step graph. No Node built-ins: the
 * API validates with this, and `runDefinition` re-validates and interprets with it.
 */
export { evaluateCondition, checkCondition, JSON_LOGIC_OPERATORS, type ConditionData, type ConditionResult } from './conditions';
export { predecessors, topologicalOrder, upstreamSets } from './dag';
export { FORBIDDEN_SEGMENTS } from './paths';
export { DEFINITION_LIMITS, jsonValueProblems } from './limits';
export { STEP_ID_PATTERN, workflowDefinitionBodySchema, stepSchema, innerStepSchema } from './schema';
export { renderTemplates, renderString, parseTemplates, wholeTemplate, lookupTemplate, type TemplateContext } from './templates';
export { validateDefinition, type DefinitionError, type ValidationContext, type ValidationResult } from './validate';
export { isHostAllowed } from './hosts';
export type { DefinitionStep } from './model';
