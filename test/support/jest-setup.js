/**
 * Jest setup (every test file): CDK's built-in CloudFormation validation is off unless the
 * environment turns it on (CDK_VALIDATION=true). Its rule engine (WebAssembly, initialised again
 * in each test file) is about two thirds of a synth's CPU time, and no template assertion reads
 * its report; test/constructs/cfn-validation.test.ts synthesizes with it on and checks the report
 * is empty, as a user's `cdk synth` would show it.
 * https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.AppProps.html#builtincloudformationvalidation
 */
process.env.CDK_VALIDATION ??= 'false';
