// The package's TypeScript contract: compiled with `tsc --strict --noEmit` (scripts/test-types.sh,
// pinned typescript) against the built package, imported as a consumer imports it. Correct use
// must compile; each line after a `// @ts-expect-error` must not, and if the types ever accept it
// tsc reports the unused directive and the step fails.

import init, {
  buildRequest,
  isValid,
  kinds,
  rules,
  signRequest,
  validate,
  version,
  type BuiltRequest,
  type FieldError,
  type Inputs,
  type Kind,
  type Payloads,
  type Rules,
  type ValidationResult,
} from 'deploy-edge';
// What pkg's rules() returned, written by scripts/test-types.sh before tsc runs.
import snapshot from '../../target/types/rules.json';

/** Takes any values, so that nothing below is unused. */
declare function use(...values: unknown[]): void;

const P = '95d02433133a4c0a87ba6967474a2ad3';
const APP = 'e700f15965694253940502911220d76b';

await init();
const v: string = version;
const all: Kind[] = kinds();

// ---- (a) a misspelled kind

// @ts-expect-error: no such kind
validate('software_config.creat', {});
// @ts-expect-error: no such kind, even with data of unknown type
validate('software_deployment.updat', JSON.parse('{}') as unknown);
// @ts-expect-error: no such kind
buildRequest('aplication.create', { project_id: P, name: 'app', is_draft: false, create_type: 'template' });
// @ts-expect-error: no such kind
isValid('software_config.delet', {});

// ---- (b) a wrong field type

// @ts-expect-error: name is a string
buildRequest('software_config.create', { project_id: P, name: 1 });
// @ts-expect-error: DONE is not a deployment status
buildRequest('software_deployment.create', { project_id: P, config_id: 'c', server_id: 's', status: 'DONE' });
// @ts-expect-error: a typed payload must be the kind's: timeout is a number
validate('software_deployment.update', { timeout: '5' });
// @ts-expect-error: an input's type is one of the IoTypes
validate('software_config.create', { inputs: [{ name: 'port', type: 'Integer' }] });

// ---- (c) a request without its path ids

// @ts-expect-error: project_id goes in the path
buildRequest('software_config.create', { name: 'c' });
// @ts-expect-error: the deployment's id goes in the path
buildRequest('software_deployment.update', { project_id: P, status: 'FAILED' });
// @ts-expect-error: app_id goes in the path
buildRequest('application.disable', { is_disable: true });
// @ts-expect-error: untyped data is not a request input (validate it, or narrow it with isValid)
buildRequest('software_config.show', JSON.parse('{}') as unknown);

// ---- (d) a misspelled error field

const report = validate('software_config.create', { name: 'c' });
if (!report.valid) {
  // @ts-expect-error: pathh
  use(report.errors[0].pathh);
  // @ts-expect-error: params depend on the code; narrow on code first
  use(report.errors[0].params.limit);
}

// ---- correct use

// Typed payloads, JSON text and bytes.
validate('software_deployment.create', [{ config_id: 'c', server_id: 's', status: 'IN_PROGRESS' }]);
validate('software_config.create', '{"name": "c"}');
validate('application.disable', new Uint8Array([123, 125]));
validate('software_config.list', { limit: '10' });
validate('server_agent.issue', { project_id: P, server_id: 'web-1' });
validate('template.validate', {
  template: {
    heat_template_version: '2018-08-31',
    resources: { hello: { type: 'OS::Heat::SoftwareConfig', properties: { group: 'script', config: 'echo hi' } } },
  },
});

// Data whose type is not known is what validate is for.
const untyped: unknown = JSON.parse('{"config_id": "c", "server_id": "s"}');
const loose: any = { is_disable: true };
const checked: ValidationResult = validate('software_deployment.create', untyped);
validate('application.disable', loose);

// The result is discriminated: no errors when valid, at least one otherwise.
if (checked.valid) {
  const none: [] = checked.errors;
  use(none.length);
} else {
  const first: FieldError = checked.errors[0];
  use(first.path, first.code, first.message);
  switch (first.code) {
    case 'too_long':
    case 'too_short':
      use(first.params.limit.toFixed());
      break;
    case 'enum':
      use(first.params.allowed.join(', '));
      break;
    case 'out_of_range':
      use(first.params.min + first.params.max);
      break;
    case 'type':
      use(first.params.expected.toUpperCase());
      break;
    case 'pattern':
      use(first.params.pattern.length);
      break;
    case 'required':
      // @ts-expect-error: required has no params
      use(first.params.limit);
      break;
    default:
      break;
  }
}
for (const w of checked.warnings) use(w.path);

// isValid narrows what it accepts.
if (isValid('software_deployment.create', untyped)) {
  const d: Payloads['software_deployment.create'] = untyped;
  use(Array.isArray(d) ? d.length : d.server_id.length);
}

// Every kind builds from its input type.
const requests: BuiltRequest[] = [
  buildRequest('software_config.list', { project_id: P, limit: 5, marker: 'm' }),
  buildRequest('software_config.show', { project_id: P, id: 'c1' }),
  buildRequest('software_deployment.list', { project_id: P, server_id: 'web-1' }),
  buildRequest('software_deployment.create', { project_id: P, deployments: [{ config_id: 'c', server_id: 's' }] }),
  buildRequest('software_deployment.update', { project_id: P, id: 'd1', status: 'COMPLETE', output_values: { ok: 1 } }),
  buildRequest('software_deployment.metadata', { project_id: P, server_id: 'web-1' }),
  buildRequest('server_agent.revoke', { project_id: P, server_id: 'web-1' }),
  buildRequest('template.validate', { project_id: P, template: { heat_template_version: '2018-08-31' } }),
  buildRequest('application.create', {
    project_id: P, name: 'app_1', is_draft: false, create_type: 'template', trigger: { trigger_source: 0 },
  }),
  buildRequest('application.list', { project_id: P, page: 1, size: 10, states: ['running'] }),
  buildRequest('application.disable', { app_id: APP, is_disable: true }),
  buildRequest('application.exist', { project_id: P, name: 'app_1' }),
  buildRequest('application.delete', { app_id: APP }),
  buildRequest('software_config.create', '{"project_id": "95d02433133a4c0a87ba6967474a2ad3"}'),
];
const signed = signRequest({ ...requests[0]!, path: `https://deploy.example.com${requests[0]!.path}` },
  { accessKey: 'AK', secretKey: 'SK', projectId: P, date: new Date(0) });
use(signed.headers.Authorization);

// Payloads and Inputs cover the same kinds.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const sameKinds: Same<keyof Inputs, Kind> = true;

// ---- rules(): typed, frozen, and the declared type is the object the package returns

const r: Rules = rules();
const statuses: readonly ('COMPLETE' | 'IN_PROGRESS' | 'FAILED')[] = r.heat.deploymentStatuses;
const method: 'GET' | 'POST' | 'PUT' | 'DELETE' = r.kinds['software_deployment.update'].method;
const projectPattern: string | undefined = r.pathIds.project_id.pattern;
// @ts-expect-error: rules are read-only
r.heat.ioTypes.push('Integer');
// @ts-expect-error: no such kind
use(r.kinds['software_config.creat']);

/** The type with literals widened and `readonly` dropped: the shape a JSON file of it has. */
type Widen<T> = T extends string
  ? string
  : T extends number
    ? number
    : T extends readonly (infer U)[]
      ? Widen<U>[]
      : T extends object
        ? { -readonly [K in keyof T]: Widen<T[K]> }
        : T;
// Every key Rules declares is in what rules() returned, with the declared shape.
const fromPackage: Widen<Rules> = snapshot;

use(v, all, statuses, method, projectPattern, sameKinds, fromPackage);
