// aws-cdk-lib validates every synthesized template with a WebAssembly rule engine (CloudFormation
// Validate), which costs seconds per synthesis. The suite synthesizes hundreds of stacks; their
// templates are validated once, with the rules as errors, in test/constructs/cfn-validation.test.ts
// (which turns this back on). Each test file gets its own copy of process.env.
process.env.CDK_VALIDATION = 'false';

// The handlers' Powertools Tracer loads the X-Ray SDK, which in its default (automatic) mode
// installs an async hook on every promise at load (cls-hooked). Outside Lambda the tracer records
// nothing, and in jest every test file that loads a handler adds one more such hook to the worker
// for the rest of its life. Manual mode (https://docs.aws.amazon.com/xray-sdk-for-nodejs/latest/reference, "Automatic and manual mode",
// AWS_XRAY_MANUAL_MODE) installs none.
process.env.AWS_XRAY_MANUAL_MODE = 'true';
