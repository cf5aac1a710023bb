// The rules of the benchmarked kinds written a second and third time: as JSON Schema (compiled by
// ajv) and as zod schemas. They follow src/domain/heat.rs and src/domain/codearts/ as closely as
// each library allows, including the checks plain JSON Schema lacks (added as ajv formats and a
// keyword: a Heat input's default fitting its type, JSON text in `params`, unique names and task
// ids), so all three do the same work. Known differences, none of which the benchmark payloads hit:
// - zod's string min/max count UTF-16 units, not characters (ajv and deploy-edge count characters);
// - JSON Schema's `integer` and `enum: [0, 1]` accept 1.0, which deploy-edge refuses;
// - neither reports deploy-edge's warnings (unknown keys on Heat bodies are simply allowed).

import Ajv from 'ajv';
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Shared predicates (the Rust rules)

const NUMBER_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const isNumberText = (s) => NUMBER_TEXT.test(s);
const isBoolText = (s) => /^(true|false)$/i.test(s);
const isJsonContainerText = (s) => {
  try {
    const v = JSON.parse(s);
    return v !== null && typeof v === 'object';
  } catch {
    return false;
  }
};
const isJsonText = (s) => {
  if (s.trim() === '') return true;
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
};

/** Heat's check_fits_type: does `v` (present, not null) fit input type `kind`? */
function fitsType(kind, v) {
  if (v === '') return true;
  switch (kind) {
    case 'String': return ['string', 'number', 'boolean'].includes(typeof v);
    case 'Number': return typeof v === 'number' || (typeof v === 'string' && isNumberText(v));
    case 'Boolean': return typeof v === 'boolean' || (typeof v === 'string' && isBoolText(v));
    case 'CommaDelimitedList': return typeof v === 'string'
      || (Array.isArray(v) && v.every((i) => typeof i === 'string' || typeof i === 'number'));
    case 'Json': return (v !== null && typeof v === 'object') || (typeof v === 'string' && isJsonContainerText(v));
    default: return true;
  }
}

const IO_TYPES = ['String', 'Number', 'CommaDelimitedList', 'Json', 'Boolean'];
const STATUSES = ['COMPLETE', 'IN_PROGRESS', 'FAILED'];
const ID32 = '^[A-Za-z0-9]{32}$';
const OP_NAME = '^(?! )[A-Za-z0-9 _,;:./()-]*(?<! )$';

// ---------------------------------------------------------------------------------------------
// JSON Schema (ajv)

const nstr = (maxLength, extra = {}) => ({ type: ['string', 'null'], maxLength, ...extra });
const nullable = (schema) => ({ anyOf: [{ type: 'null' }, schema] });

const ioDefaultRules = IO_TYPES.map((t) => ({
  if: t === 'String'
    ? { anyOf: [{ not: { required: ['type'] } }, { properties: { type: { enum: ['String', null] } }, required: ['type'] }] }
    : { properties: { type: { const: t } }, required: ['type'] },
  then: { properties: { default: { fitsType: t } } },
}));

const configInput = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 255 },
    type: { enum: [...IO_TYPES, null] },
    description: nstr(4096),
    default: {},
    value: {},
    replace_on_change: { type: ['boolean', 'null'] },
  },
  allOf: ioDefaultRules,
};

const configOutput = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 255 },
    type: { enum: [...IO_TYPES, null] },
    description: nstr(4096),
    error_output: { type: ['boolean', 'null'] },
  },
};

const configCreate = {
  type: 'object',
  properties: {
    name: nstr(255),
    group: nstr(255),
    config: {},
    options: { type: ['object', 'null'] },
    inputs: { type: ['array', 'null'], maxItems: 100, items: configInput, uniqueNames: true },
    outputs: { type: ['array', 'null'], maxItems: 100, items: configOutput, uniqueNames: true },
  },
};

// A deployment's timeout: whole seconds, 1 to a week (src/domain/heat/mod.rs TIMEOUT_MIN, TIMEOUT_MAX).
const TIMEOUT = { type: ['integer', 'null'], minimum: 1, maximum: 604800 };

const deployment = {
  type: 'object',
  required: ['config_id', 'server_id'],
  properties: {
    config_id: { type: 'string', minLength: 1, maxLength: 36 },
    server_id: { type: 'string', minLength: 1, maxLength: 36 },
    input_values: { type: ['object', 'null'] },
    action: nstr(255),
    status: { enum: [...STATUSES, null] },
    status_reason: nstr(65535),
    stack_user_project_id: nstr(64),
    timeout: TIMEOUT,
  },
};

const deploymentCreate = {
  if: { type: 'array' },
  then: { type: 'array', minItems: 1, maxItems: 100, items: deployment },
  else: deployment,
};

const deploymentUpdate = {
  type: 'object',
  properties: {
    config_id: { type: ['string', 'null'], minLength: 1, maxLength: 36 },
    input_values: { type: ['object', 'null'] },
    output_values: { type: ['object', 'null'] },
    action: nstr(255),
    status: { enum: [...STATUSES, null] },
    status_reason: nstr(65535),
    timeout: TIMEOUT,
  },
};

const operation = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: { type: ['string', 'null'], pattern: ID32 },
    name: nstr(128, { pattern: OP_NAME }),
    description: nstr(1024),
    code: nstr(102400),
    params: nstr(204800, { format: 'json-text' }),
    entrance: nstr(1024),
    version: nstr(1024),
    module_id: nstr(1024),
  },
};

const taskProps = {
  deploy_system: { enum: ['deployTemplate', null] },
  template_id: { type: ['string', 'null'], pattern: ID32 },
  operation_list: { type: ['array', 'null'], maxItems: 100, items: operation },
};

const trigger = nullable({
  type: 'object',
  additionalProperties: false,
  properties: {
    trigger_source: { enum: ['0', '1', 0, 1, null] },
    artifact_source_system: { enum: ['', 'Artifact', null] },
    artifact_type: { enum: ['', 'generic', 'docker', null] },
  },
});

const applicationProps = {
  project_id: { type: 'string', pattern: ID32 },
  name: { type: 'string', minLength: 3, maxLength: 128, pattern: '^[A-Za-z0-9_-]*$' },
  description: nstr(1024),
  group_id: { type: ['string', 'null'], pattern: '^([A-Za-z0-9]{32})?$' },
  is_draft: { type: 'boolean' },
  create_type: { enum: ['template'] },
  slave_cluster_id: { type: ['string', 'null'], pattern: '^([A-Za-z0-9]{32})?$' },
  trigger,
  agency_urn: nstr(512),
  slave_resource_type: nstr(64),
  timeout: { type: ['integer', 'null'], minimum: 0, maximum: 86400 },
};

const applicationCreate = {
  type: 'object',
  additionalProperties: false,
  required: ['project_id', 'name', 'is_draft', 'create_type'],
  properties: {
    ...applicationProps,
    arrange_infos: {
      type: ['array', 'null'],
      maxItems: 10,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: { ...taskProps, ansible_type: { type: ['integer', 'null'], minimum: 0, maximum: 1 } },
      },
    },
  },
};

const applicationUpdate = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'project_id', 'name', 'is_draft', 'create_type'],
  properties: {
    id: { type: 'string', pattern: ID32 },
    ...applicationProps,
    arrange_infos: {
      type: ['array', 'null'],
      maxItems: 10,
      uniqueIds: true,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: { id: { type: ['string', 'null'], pattern: ID32 }, ...taskProps },
      },
    },
  },
};

export const jsonSchemas = {
  'software_config.create': configCreate,
  'software_deployment.create': deploymentCreate,
  'software_deployment.update': deploymentUpdate,
  'application.create': applicationCreate,
  'application.update': applicationUpdate,
};

/** ajv validators per kind, compiled once; `allErrors` because deploy-edge reports every error. */
export function compileAjv() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('json-text', { type: 'string', validate: isJsonText });
  ajv.addKeyword({ keyword: 'fitsType', validate: (t, v) => v === null || fitsType(t, v), errors: false });
  const uniqueBy = (key) => (on, items) => {
    if (!on || !Array.isArray(items)) return true;
    const seen = new Set();
    for (const it of items) {
      const v = it && typeof it === 'object' ? it[key] : undefined;
      if (typeof v !== 'string') continue;
      if (seen.has(v)) return false;
      seen.add(v);
    }
    return true;
  };
  ajv.addKeyword({ keyword: 'uniqueNames', validate: uniqueBy('name'), errors: false });
  ajv.addKeyword({ keyword: 'uniqueIds', validate: uniqueBy('id'), errors: false });
  return Object.fromEntries(Object.entries(jsonSchemas).map(([k, s]) => [k, ajv.compile(s)]));
}

// ---------------------------------------------------------------------------------------------
// zod

const zs = (max) => z.string().max(max).nullish();

const zInput = z.strictObject({
  name: z.string().min(1).max(255),
  type: z.enum(IO_TYPES).nullish(),
  description: zs(4096),
  default: z.unknown().optional(),
  value: z.unknown().optional(),
  replace_on_change: z.boolean().nullish(),
}).superRefine((input, ctx) => {
  const t = input.type ?? 'String';
  if (input.default !== undefined && input.default !== null && !fitsType(t, input.default)) {
    ctx.addIssue({ code: 'custom', path: ['default'], message: `must be a valid ${t} value` });
  }
});

const zOutput = z.strictObject({
  name: z.string().min(1).max(255),
  type: z.enum(IO_TYPES).nullish(),
  description: zs(4096),
  error_output: z.boolean().nullish(),
});

const uniqueRefine = (key) => (items, ctx) => {
  if (!items) return;
  const seen = new Set();
  items.forEach((it, i) => {
    const v = it[key];
    if (typeof v !== 'string') return;
    if (seen.has(v)) ctx.addIssue({ code: 'custom', path: [i, key], message: 'duplicate' });
    seen.add(v);
  });
};

const zConfigCreate = z.looseObject({
  name: zs(255),
  group: zs(255),
  config: z.unknown().optional(),
  options: z.record(z.string(), z.unknown()).nullish(),
  inputs: z.array(zInput).max(100).nullish().superRefine(uniqueRefine('name')),
  outputs: z.array(zOutput).max(100).nullish().superRefine(uniqueRefine('name')),
});

const zTimeout = z.number().int().min(1).max(604800).nullish();
const zStatus = z.enum(STATUSES).nullish();
const zDeployment = z.looseObject({
  config_id: z.string().min(1).max(36),
  server_id: z.string().min(1).max(36),
  input_values: z.record(z.string(), z.unknown()).nullish(),
  action: zs(255),
  status: zStatus,
  status_reason: zs(65535),
  stack_user_project_id: zs(64),
  timeout: zTimeout,
});

const zDeploymentCreate = z.union([zDeployment, z.array(zDeployment).min(1).max(100)]);

const zDeploymentUpdate = z.looseObject({
  config_id: z.string().min(1).max(36).nullish(),
  input_values: z.record(z.string(), z.unknown()).nullish(),
  output_values: z.record(z.string(), z.unknown()).nullish(),
  action: zs(255),
  status: zStatus,
  status_reason: zs(65535),
  timeout: zTimeout,
});

const zId = z.string().regex(new RegExp(ID32));
const zIdOrEmpty = z.string().regex(/^([A-Za-z0-9]{32})?$/);
const zOperation = z.strictObject({
  id: zId.nullish(),
  name: z.string().max(128).regex(new RegExp(OP_NAME)).nullish(),
  description: zs(1024),
  code: zs(102400),
  params: z.string().max(204800).refine(isJsonText, 'must be a JSON document carried as a string').nullish(),
  entrance: zs(1024),
  version: zs(1024),
  module_id: zs(1024),
});
const zTaskFields = {
  deploy_system: z.literal('deployTemplate').nullish(),
  template_id: zId.nullish(),
  operation_list: z.array(zOperation).max(100).nullish(),
};
const zAppFields = {
  project_id: zId,
  name: z.string().min(3).max(128).regex(/^[A-Za-z0-9_-]*$/),
  description: zs(1024),
  group_id: zIdOrEmpty.nullish(),
  is_draft: z.boolean(),
  create_type: z.literal('template'),
  slave_cluster_id: zIdOrEmpty.nullish(),
  trigger: z.strictObject({
    trigger_source: z.union([z.enum(['0', '1']), z.literal(0), z.literal(1)]).nullish(),
    artifact_source_system: z.enum(['', 'Artifact']).nullish(),
    artifact_type: z.enum(['', 'generic', 'docker']).nullish(),
  }).nullish(),
  agency_urn: zs(512),
  slave_resource_type: zs(64),
  timeout: z.number().int().min(0).max(86400).nullish(),
};

const zApplicationCreate = z.strictObject({
  ...zAppFields,
  arrange_infos: z.array(z.strictObject({ ...zTaskFields, ansible_type: z.number().int().min(0).max(1).nullish() }))
    .max(10).nullish(),
});

const zApplicationUpdate = z.strictObject({
  id: zId,
  ...zAppFields,
  arrange_infos: z.array(z.strictObject({ id: zId.nullish(), ...zTaskFields })).max(10).nullish()
    .superRefine(uniqueRefine('id')),
});

export const zodSchemas = {
  'software_config.create': zConfigCreate,
  'software_deployment.create': zDeploymentCreate,
  'software_deployment.update': zDeploymentUpdate,
  'application.create': zApplicationCreate,
  'application.update': zApplicationUpdate,
};
