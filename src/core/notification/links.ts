/**
 * Links into the AWS console for a notification, worked out from ARNs the workflow already holds
 * (the execution ARN is `$$.Execution.Id`). Pure: no AWS SDK import.
 */

/** The parts of an ARN a link needs. */
export interface ArnParts {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** Split an ARN; undefined when it is not one, or has no region. */
export function parseArn(arn: string | undefined): ArnParts | undefined {
  if (!arn) return undefined;
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || !REGION.test(parts[3])) return undefined;
  return { partition: parts[1], service: parts[2], region: parts[3], account: parts[4], resource: parts.slice(5).join(':') };
}

/** Console host of a partition and region; undefined for partitions without a known console. */
function consoleBase(partition: string, region: string): string | undefined {
  switch (partition) {
    case 'aws': return `https://${region}.console.aws.amazon.com`;
    case 'aws-cn': return 'https://console.amazonaws.cn';
    case 'aws-us-gov': return 'https://console.amazonaws-us-gov.com';
    default: return undefined;
  }
}

/** The links a notification shows. */
export interface ConsoleLinks {
  readonly region?: string;
  /** The execution in the Step Functions console. */
  readonly execution?: string;
  /** The function in the Lambda console. */
  readonly function?: string;
}

/**
 * Console links for an execution and a function. The function is looked up in the execution's
 * region and partition unless its own ARN says otherwise (the workflow only repairs functions of
 * its own account and region).
 */
export function consoleLinks(executionArn: string | undefined, functionName: string | undefined, functionArn?: string): ConsoleLinks {
  const exec = parseArn(executionArn);
  const fnArn = parseArn(functionArn);
  const where = fnArn ?? exec;
  const execBase = exec && exec.service === 'states' && exec.resource.startsWith('execution:') ? consoleBase(exec.partition, exec.region) : undefined;
  const fnBase = where ? consoleBase(where.partition, where.region) : undefined;
  const name = fnArn && fnArn.resource.startsWith('function:') ? fnArn.resource.split(':')[1] : functionName;
  return {
    ...(exec ? { region: exec.region } : {}),
    ...(execBase ? { execution: `${execBase}/states/home?region=${exec!.region}#/v2/executions/details/${executionArn}` } : {}),
    ...(fnBase && name && /^[A-Za-z0-9_-]{1,140}$/.test(name)
      ? { function: `${fnBase}/lambda/home?region=${where!.region}#/functions/${encodeURIComponent(name)}` }
      : {}),
  };
}
