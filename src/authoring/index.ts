/**
 * Authoring toolkit: the provider reference, starter maps, Data Map tests and field-level
 * explain. Named exports only; each feature lives in its own file.
 */
export {
  describeProviders,
  describeProvider,
  describeOperation,
  type ProviderSummary,
  type ProviderDetails,
  type ProviderEnvironmentInfo,
  type ProviderAuthInfo,
  type ProviderCredentialInfo,
  type OperationSummary,
  type OperationDetails,
  type ResponseFieldInfo,
  type FieldDescription,
  type RequiredChoice,
  type SensitiveKind,
} from './providers-reference.js';
export { initDataMap, type InitDataMapOptions, type InitDataMapResult, type InitMappedField, type InitTodo } from './init-map.js';
export {
  findDataMapTests,
  runDataMapTest,
  runDataMapTests,
  runDataMapTestCase,
  checkDataMapTest,
  defaultMapFileFor,
  isDataMapTestFile,
  subsetDifferences,
  formatTestPath,
  createMockTransport,
  DATAMAP_TEST_DEFAULT_NOW,
  type DataMapTestMismatch,
  type DataMapTestCaseReport,
  type DataMapTestFileReport,
  type DataMapTestRunReport,
  type DataMapTestOptions,
  type DataMapTestCheck,
  type DataMapTestSpec,
  type DataMapTestCaseSpec,
  type DataMapTestCase,
  type DataMapTestExpect,
  type DataMapTestResponse,
  type LoadedDataMapTest,
  type SubsetDifference,
  type MockTransport,
  type MockedCall,
} from './test-runner.js';
export { explainRecord, type Explanation, type ExplainedStep, type ExplainedField, type ExplainedSource, type ExplainOptions } from './explain.js';
