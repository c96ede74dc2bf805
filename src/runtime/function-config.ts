/**
 * The target function's configuration as the workflow keeps it: an allow-list of non-secret
 * fields. Separate from the collector so the repair and rollback bundles need no CloudWatch client.
 */
import { GetFunctionConfigurationCommand, GetFunctionConfigurationCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { registerClient } from './clients';
import { toNamedError } from './errors';
import { targetClient } from './target-clients';
import type { FunctionConfigSummary } from '../core/model';

registerClient('lambda', (o) => new LambdaClient({ region: o.region, ...(o.credentials ? { credentials: o.credentials } : {}), retryMode: 'adaptive', maxAttempts: 5 }));

/** The subset of a function's configuration the workflow keeps. No environment, ever. */
export interface SafeFunctionConfig {
  readonly functionName: string;
  readonly functionArn?: string;
  readonly summary: FunctionConfigSummary;
  readonly revisionId?: string;
  readonly version?: string;
  readonly lastModified?: string;
  readonly logGroup: string;
  readonly lastUpdateStatus?: string;
  readonly state?: string;
}

/**
 * Keep only named, non-secret fields of a `GetFunctionConfiguration` answer. An allow-list, not a
 * deny-list: `Environment`, `KMSKeyArn` values, layers, VPC, image and signing details are never
 * copied, so a field AWS adds later cannot leak.
 */
export function toSafeConfig(functionName: string, out: GetFunctionConfigurationCommandOutput): SafeFunctionConfig {
  return {
    functionName: out.FunctionName ?? functionName,
    functionArn: out.FunctionArn,
    summary: {
      memorySize: out.MemorySize ?? 128,
      timeout: out.Timeout ?? 3,
      ...(out.Runtime ? { runtime: out.Runtime } : {}),
      ...(out.Architectures?.[0] ? { architecture: out.Architectures[0] } : {}),
    },
    revisionId: out.RevisionId,
    version: out.Version,
    lastModified: out.LastModified,
    logGroup: out.LoggingConfig?.LogGroup ?? `/aws/lambda/${out.FunctionName ?? functionName}`,
    lastUpdateStatus: out.LastUpdateStatus,
    state: out.State,
  };
}

/** Read the function's configuration (sanitized). */
export async function readFunctionConfig(functionName: string, qualifier?: string): Promise<SafeFunctionConfig> {
  try {
    const out = await targetClient('lambda').send(new GetFunctionConfigurationCommand({
      FunctionName: functionName,
      ...(qualifier ? { Qualifier: qualifier } : {}),
    }));
    return toSafeConfig(functionName, out);
  } catch (err) {
    throw toNamedError(err, `lambda:GetFunctionConfiguration on ${functionName}`);
  }
}
