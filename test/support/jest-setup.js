// aws-cdk-lib validates every synthesized template with a WebAssembly rule engine (CloudFormation
// Validate), which costs seconds per synthesis. The suite synthesizes hundreds of stacks; their
// templates are validated once, with the rules as errors, in test/constructs/cfn-validation.test.ts
// (which turns this back on). Each test file gets its own copy of process.env.
process.env.CDK_VALIDATION = 'false';
