/**
 * The one catalogue of user-facing error codes. Every finding and thrown error carries one of
 * these codes; the title and hint here are the defaults, a finding may give a sharper hint.
 */
export const CATALOGUE = {
  // source: reading files and YAML
  'source/file-not-found': { title: 'File not found', hint: 'Check the path; it is resolved from the current directory.' },
  'source/too-large': { title: 'File too large', hint: 'Data Maps and record files are limited in size; split the input or raise the limit with the maxBytes option.' },
  'source/yaml-syntax': { title: 'YAML syntax error', hint: 'Fix the YAML at the location shown; indentation and unclosed quotes are the usual causes.' },
  'source/duplicate-key': { title: 'Duplicate key', hint: 'Each key may appear once in a mapping; remove or rename one of them.' },
  'source/alias-not-allowed': { title: 'YAML aliases are not allowed', hint: 'Write the value out instead of using &anchor / *alias; aliases are disabled to stop alias bombs.' },
  'source/unknown-tag': { title: 'Unknown YAML tag', hint: 'Remove the !tag; Data Maps use plain YAML values only.' },
  'source/too-deep': { title: 'Nesting too deep', hint: 'The document nests deeper than the limit; flatten it.' },
  'source/forbidden-key': { title: 'Forbidden key', hint: 'Keys named __proto__, constructor or prototype are rejected to prevent prototype pollution.' },
  'source/json-syntax': { title: 'JSON syntax error', hint: 'Fix the JSON at the location shown.' },
  // datamap: structure and cross-field rules
  'datamap/schema': { title: 'Data Map does not match its schema', hint: 'See schemas/datamap.schema.json or the README for the format.' },
  'datamap/unknown-provider': { title: 'Unknown provider', hint: 'Use one of the installed provider packs (datamap providers lists them).' },
  'datamap/unknown-operation': { title: 'Unknown operation', hint: 'Use an operation of the provider pack (datamap providers <name> lists them).' },
  'datamap/unknown-environment': { title: 'Unknown environment', hint: 'Use an environment the provider pack declares.' },
  'datamap/unknown-auth': { title: 'Unknown auth scheme', hint: 'Use an auth scheme the provider pack declares.' },
  'datamap/duplicate-step-id': { title: 'Duplicate step id', hint: 'Step ids must be unique within a Data Map.' },
  'datamap/unknown-step-reference': { title: 'Reference to an unknown step', hint: 'Refer only to the id of a step defined in this Data Map.' },
  'datamap/forward-step-reference': { title: 'Reference to a later step', hint: 'A step can only use the outputs of steps that run before it; move the step or the reference.' },
  'datamap/literal-secret': { title: 'Literal secret in a Data Map', hint: 'Reference the secret as ${ENV_NAME} and set the environment variable instead.' },
  'datamap/unknown-param': { title: 'Unknown parameter', hint: 'Use a path parameter of the operation or a query parameter it accepts.' },
  'datamap/missing-path-param': { title: 'Missing path parameter', hint: 'Give every {param} of the operation path in the step\'s params.' },
  'datamap/unexpected-request': { title: 'Request body on an operation without one', hint: 'Remove `request`; this operation takes no body (use params).' },
  'datamap/missing-request': { title: 'Missing request body', hint: 'This operation takes a body: add a `request` expression.' },
  'datamap/unknown-let': { title: 'Reference to an unknown variable', hint: 'Define it under `let`, or use one of the built-in variables ($steps, $key, $record, $env).' },
  'datamap/invalid-base-url': { title: 'Invalid base URL', hint: 'Use an absolute http(s) URL.' },
  // expressions
  'expression/syntax': { title: 'JSONata syntax error', hint: 'Fix the expression at the location shown; see https://docs.jsonata.org.' },
  'expression/forbidden-function': { title: 'Forbidden function', hint: '$eval is never allowed; $random is not allowed where a value must be repeatable.' },
  'expression/unsafe-regex': { title: 'Regular expression can hang', hint: 'Rewrite the pattern without a repeated group that itself repeats (e.g. (a+)+); a hostile record could make it run for hours.' },
  'expression/evaluation': { title: 'Expression failed', hint: 'The expression raised an error for this record; check the field it reads.' },
  'expression/timeout': { title: 'Expression took too long', hint: 'The expression ran past the time or depth limit; look for unbounded recursion.' },
  'expression/not-object': { title: 'Request is not an object', hint: 'A request expression must produce a JSON object.' },
  // records and payloads
  'record/not-object': { title: 'Record is not an object', hint: 'Each input record must be a JSON object.' },
  'record/invalid': { title: 'Record does not match the input schema', hint: 'Fix the record or the Data Map\'s `input` schema.' },
  'record/forbidden-key': { title: 'Forbidden key in record', hint: 'Keys named __proto__, constructor or prototype are rejected.' },
  'record/missing-key': { title: 'Record key is empty', hint: 'The Data Map\'s `key` expression must give a non-empty string or number for every record.' },
  'schema/payload-invalid': { title: 'Request payload is invalid', hint: 'Change the step\'s request expression so the payload satisfies the provider schema.' },
  'schema/response-mismatch': { title: 'Response does not match the provider schema', hint: 'The provider answered with an unexpected shape; the run went on.' },
  // usage
  'usage/invalid-argument': { title: 'Invalid argument', hint: 'See datamap --help.' },
  'usage/input': { title: 'Cannot read input', hint: 'Give --input a JSON object, JSON array or NDJSON file, or - for standard input.' },
  // run
  'auth/missing-credential': { title: 'Missing credential', hint: 'Set the environment variable named in the message, or pass it in the credentials option.' },
  'auth/failed': { title: 'Authentication failed', hint: 'Check the credential is valid for the chosen environment.' },
  'transport/timeout': { title: 'Request timed out', hint: 'The provider did not answer in time.' },
  'transport/network': { title: 'Network error', hint: 'The provider could not be reached.' },
  'transport/host-not-allowed': { title: 'Host not allowed', hint: 'Requests go only to the provider pack\'s hosts or an explicit base URL.' },
  'provider/rejected': { title: 'Provider rejected the request', hint: 'See the provider message and details.' },
  'provider/server-error': { title: 'Provider server error', hint: 'The provider failed; retry later.' },
  'provider/rate-limited': { title: 'Rate limited', hint: 'Too many requests; slow down or retry later.' },
  'provider/declined': { title: 'Payment declined', hint: 'The provider declined the payment; this is an outcome, not an engine error.' },
  'run/unknown-outcome': { title: 'Outcome unknown', hint: 'The call may have taken effect and reconciliation could not tell; check the provider before re-running.' },
  'run/not-planned': { title: 'Record not run', hint: 'The record\'s plan has errors, so no call was made.' },
  // Data Map tests (datamap test)
  'test/failed': { title: 'Data Map test failed', hint: 'The Data Map did not do what the case expects: fix the map, or the expectation if the change is intended.' },
  'test/invalid-file': { title: 'Invalid Data Map test file', hint: 'See schemas/datamap-test.schema.json for the test file format.' },
  'test/unknown-step': { title: 'Test names an unknown step', hint: 'Use a step id of the Data Map under test (or, under responses, an operation id of its provider pack).' },
  'test/no-mock': { title: 'No mocked response for a call', hint: 'Add a response for the step under the case\'s `responses` (a list answers repeated calls in order).' },
  'test/unexpected-call': { title: 'Call matches no step', hint: 'The executor sent a request that no step or mocked operation of the case matches; check the Data Map\'s operations.' },
  'test/no-tests': { title: 'No Data Map tests found', hint: 'Give test files (*.test.yaml), Data Maps with a sibling <name>.test.yaml, or directories holding them.' },
  // static checks (validate): findings about what the expressions can produce
  'check/unknown-input-field': { title: 'Field not in the input schema', hint: 'The expression reads a field the Data Map\'s input schema does not allow; fix the name, or declare the field under input.' },
  'check/missing-required-field': { title: 'Required provider field never produced', hint: 'Add the field to the step\'s request: the provider schema requires it, so every payload would be refused.' },
  'check/enum-mismatch': { title: 'Constant outside the allowed values', hint: 'Use one of the values the provider schema allows; they are case-sensitive.' },
  'internal/error': { title: 'Internal error', hint: 'This is a bug in datamap; please report it with the input that caused it.' },
} as const satisfies Record<string, { title: string; hint: string }>;

/** A stable error code from the catalogue. */
export type ErrorCode = keyof typeof CATALOGUE;
