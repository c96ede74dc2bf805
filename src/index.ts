// The public API: constructs and their props. Handler code is never exported from here.
export * from './auto-remediation';
export * from './policy';
export * from './remediation-service-props';
export * from './diagnosis/diagnosis';
export * from './diagnosis/diagnosis-service';
export * from './monitoring/monitoring-options';
export * from './monitoring/remediation-monitoring';
export * from './monitoring/remediation-dashboard';
export * from './repair/repair-executor';
export * from './store/remediation-store';
export * from './verification/verification-service';
export * from './workflow/remediation-workflow';
export * from './knowledge/remediation-knowledge-base';
export * from './knowledge/remediation-agent';
export * from './workflow/workflow-kind';
