/** Environment variables through which globalSetup hands its resources to the test files. */
export const TEMPORAL_ADDRESS_VAR = 'SWITCHBOARD_TEST_TEMPORAL_ADDRESS';
export const WORKFLOW_BUNDLE_VAR = 'SWITCHBOARD_TEST_WORKFLOW_BUNDLE';
export const CLI_PATH_VAR = 'SWITCHBOARD_TEST_TEMPORAL_CLI';
