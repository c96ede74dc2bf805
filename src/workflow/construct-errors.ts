// Errors the constructs raise at synthesis time for configuration that makes no sense. Named
// classes so tests and callers can tell them apart; not exported from src/index.ts because jsii
// cannot represent classes that extend the built-in Error.

/** A policy value that makes no sense. */
export class InvalidRemediationPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRemediationPolicyError';
  }
}

/** An unusable diagnosis choice. */
export class InvalidDiagnosisError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidDiagnosisError';
  }
}

/** An unusable monitoring configuration. */
export class InvalidMonitoringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidMonitoringError';
  }
}

/** An unusable workflow configuration. */
export class InvalidWorkflowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidWorkflowError';
  }
}
